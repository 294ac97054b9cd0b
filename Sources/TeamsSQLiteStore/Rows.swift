import Foundation
import GRDB
import TeamsDomain

/// How a `Team` is laid out in the `teams` table.
///
/// Reading throws `RepositoryError.corrupt` naming the team for a row that does not
/// parse, and never traps (see `StoredValues.swift`).
enum TeamRow {
    private struct PlayerJSON: Decodable {
        var name: String
        var position: String
    }

    private struct TeamJSON: Decodable {
        var id: String
        var name: String
        var players: [PlayerJSON]
        var version: UInt64
    }

    /// What `team(from:)` reads, in its order.
    static let columns = "id, name, players, version"

    static func fetch(_ id: TeamID, in db: Database) throws -> Team? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM teams WHERE id = ?"), arguments: [id.description]) else {
            return nil
        }
        return try team(from: row)
    }

    /// The teams of `ids` that exist, in no particular order, in one statement.
    static func fetch(_ ids: [TeamID], in db: Database) throws -> [Team] {
        guard !ids.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM teams WHERE id IN (\(placeholders))")
        return try Row.fetchAll(statement, arguments: StatementArguments(ids.map(\.description))).map(team(from:))
    }

    /// The values `insert` writes, worked out before the write so that the one thread
    /// that commits does not.
    static func inserting(_ team: Team) -> [SQLValue] {
        [.teamID(team.id), .text(team.name), .text(team.nameKey), .blob(PlayersBlob.encode(team.players)), .integer(Int64(clamping: team.version))]
    }

    static func insert(_ values: [SQLValue], in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO teams (id, name, name_key, players, version) VALUES (?, ?, ?, ?, ?)").run(values)
    }

    /// A team from a row of `columns`, read by position: a lookup by name lower-cases it each time.
    static func team(from row: Row) throws(RepositoryError) -> Team {
        let rawID: String = try row.stored(0, "id", of: "a team row")
        guard let id = TeamID(rawID) else { throw .corrupt("team id \(rawID) is not an xid") }
        let record = "team \(id)"
        let name: String = try row.stored(1, "name", of: record)
        let players = try players(row.count > 2 ? row[2] : .null, of: record)
        let version: Int64 = try row.stored(3, "version", of: record)
        return Team(id: id, name: name, players: players, version: try UInt64(stored: version, "\(record)'s version"))
    }

    /// The players of `record` from its `players` column: a `PlayersBlob`, or the JSON
    /// of a row written before, until the team's next change rewrites it.
    static func players(_ column: DatabaseValue, of record: String) throws(RepositoryError) -> [Player] {
        switch column.storage {
        case .blob(let blob):
            guard let players = PlayersBlob.decode(blob) else { throw .corrupt("\(record) has players that are not in the binary layout") }
            return players
        case .string(let json):
            return try players(json: json, of: record)
        case .null, .int64, .double:
            throw .corrupt("\(record) has no readable players (expected a BLOB, or JSON text)")
        }
    }

    /// The players of `record` from the `players` column's JSON.
    static func players(json: String, of record: String) throws(RepositoryError) -> [Player] {
        if let fields = PlayersJSON.decode(json) {
            var players: [Player] = []
            players.reserveCapacity(fields.count)
            for (name, position) in fields { players.append(Player(name: name, position: try Self.position(position, of: record))) }
            return players
        }
        let decoded: [PlayerJSON]
        do {
            decoded = try JSONDecoder().decode([PlayerJSON].self, from: Data(json.utf8))
        } catch {
            throw .corrupt("\(record) has players that are not a JSON array of {name, position}")
        }
        return try players(decoded, of: record)
    }

    /// The team of an idempotency key's row (`record`), from its `team` column: a
    /// `CreatedTeamBlob`, or the JSON of a key claimed before.
    static func created(_ column: DatabaseValue, id: TeamID, of record: String) throws(RepositoryError) -> Team {
        switch column.storage {
        case .blob(let blob):
            guard let team = CreatedTeamBlob.decode(blob, id: id) else { throw .corrupt("\(record) holds a team that is not in the binary layout") }
            return team
        case .string(let json):
            return try decode(json: json, of: record)
        case .null, .int64, .double:
            throw .corrupt("\(record) holds no readable team (expected a BLOB, or JSON text)")
        }
    }

    /// The team as JSON `{id, name, players, version}`, as idempotency keys' rows held it
    /// before `CreatedTeamBlob` (tests write such rows).
    static func encode(json team: Team) -> String {
        #"{"id":"# + PlayersJSON.string(team.id.description) + #","name":"# + PlayersJSON.string(team.name)
            + #","players":"# + PlayersJSON.encode(team.players) + #","version":\#(team.version)}"#
    }

    /// The team that `encode(json:)` wrote into `record` (an idempotency key's row).
    static func decode(json: String, of record: String) throws(RepositoryError) -> Team {
        let value: TeamJSON
        do {
            value = try JSONDecoder().decode(TeamJSON.self, from: Data(json.utf8))
        } catch {
            throw .corrupt("\(record) holds a team that is not JSON {id, name, players, version}")
        }
        guard let id = TeamID(value.id) else { throw .corrupt("\(record) holds team id \(value.id), which is not an xid") }
        return Team(id: id, name: value.name, players: try players(value.players, of: "\(record)'s team \(id)"), version: value.version)
    }

    private static func players(_ decoded: [PlayerJSON], of record: String) throws(RepositoryError) -> [Player] {
        var players: [Player] = []
        players.reserveCapacity(decoded.count)
        for player in decoded { players.append(Player(name: player.name, position: try Self.position(player.position, of: record))) }
        return players
    }

    private static func position(_ name: String, of record: String) throws(RepositoryError) -> Position {
        guard let position = Position(rawValue: name) else { throw .corrupt("\(record) has a player with unknown position \(name)") }
        return position
    }
}

/// How a `TeamEvent` is laid out in the `events` table: `kind` holds the
/// `TeamEvent.Kind` raw value, the other columns the change's details.
enum EventRow {
    /// The values `insert` writes, worked out before the write (see `TeamRow.inserting`).
    static func inserting(_ event: TeamEvent) -> [SQLValue] {
        let player = event.change.player
        return [
            .teamID(event.teamID), .integer(Int64(clamping: event.version)), .text(event.change.kind.rawValue), SQLValue(event.change.teamName),
            SQLValue(player?.name), SQLValue(player?.position.rawValue), .integer(event.occurredAt),
        ]
    }

    /// Returns the sequence the event was stored under.
    static func insert(_ values: [SQLValue], in db: Database) throws -> UInt64 {
        try db.cachedStatement(sql: "INSERT INTO events (team_id, version, kind, team_name, player_name, position, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(values)
        return try UInt64(stored: db.lastInsertedRowID, "the new event's sequence")
    }

    /// What `event(from:)` reads, in its order.
    static let columns = "sequence, team_id, kind, team_name, player_name, position, version, occurred_at"

    /// An event from a row of `columns`, read by position.
    /// - Throws: `.corrupt` naming the event for a row that does not parse.
    static func event(from row: Row) throws(RepositoryError) -> TeamEvent {
        let storedSequence: Int64 = try row.stored(0, "sequence", of: "an event row")
        let record = "event \(storedSequence)"
        let rawID: String = try row.stored(1, "team_id", of: record)
        guard let id = TeamID(rawID) else { throw .corrupt("\(record) has team id \(rawID), which is not an xid") }
        let rawKind: String = try row.stored(2, "kind", of: record)
        guard let kind = TeamEvent.Kind(rawValue: rawKind) else { throw .corrupt("\(record) has unknown kind \(rawKind)") }
        let teamName: String? = try row.stored(3, "team_name", of: record)
        let playerName: String? = try row.stored(4, "player_name", of: record)
        let position: String? = try row.stored(5, "position", of: record)
        let player = position.flatMap(Position.init(rawValue:)).map { Player(name: playerName ?? "", position: $0) }
        guard let change = TeamEvent.Change(kind: kind, teamName: teamName ?? "", player: player) else {
            throw .corrupt("\(record) has no valid position")
        }
        let version: Int64 = try row.stored(6, "version", of: record)
        let occurredAt: Int64 = try row.stored(7, "occurred_at", of: record)
        return TeamEvent(
            sequence: try UInt64(stored: storedSequence, "\(record)'s sequence"), teamID: id,
            version: try UInt64(stored: version, "\(record)'s version"), change: change, occurredAt: occurredAt)
    }
}
