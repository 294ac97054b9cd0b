import Foundation
import GRDB
import TeamsDomain

/// How a `Team` is laid out in the `teams` table.
enum TeamRow {
    private struct PlayerJSON: Codable {
        var name: String
        var position: String
    }

    private struct TeamJSON: Codable {
        var id: String
        var name: String
        var players: [PlayerJSON]
        var version: UInt64
    }

    static func fetch(_ id: TeamID, in db: Database) throws -> Team? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM teams WHERE id = ?"), arguments: [id.description]).map(team(from:))
    }

    static func insert(_ team: Team, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO teams (id, name, name_key, players, version) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [team.id.description, team.name, team.nameKey, try playersJSON(team.players), Int64(team.version)])
    }

    static func team(from row: Row) throws -> Team {
        let rawID: String = row["id"]
        guard let id = TeamID(rawID) else { throw RepositoryError.corrupt("team id \(rawID) is not an xid") }
        let version: Int64 = row["version"]
        return Team(id: id, name: row["name"], players: try players(json: row["players"]), version: UInt64(version))
    }

    static func playersJSON(_ players: [Player]) throws -> String {
        if players.isEmpty { return "[]" }  // every new team; skips the encoder
        return String(decoding: try JSONEncoder().encode(players.map { PlayerJSON(name: $0.name, position: $0.position.rawValue) }), as: UTF8.self)
    }

    static func players(json: String) throws -> [Player] {
        try JSONDecoder().decode([PlayerJSON].self, from: Data(json.utf8)).map { player in
            guard let position = Position(rawValue: player.position) else {
                throw RepositoryError.corrupt("unknown position \(player.position)")
            }
            return Player(name: player.name, position: position)
        }
    }

    static func encode(json team: Team) throws -> String {
        let value = TeamJSON(id: team.id.description, name: team.name, players: team.players.map { PlayerJSON(name: $0.name, position: $0.position.rawValue) }, version: team.version)
        return String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode(json: String) throws -> Team {
        let value = try JSONDecoder().decode(TeamJSON.self, from: Data(json.utf8))
        guard let id = TeamID(value.id) else { throw RepositoryError.corrupt("team id \(value.id) is not an xid") }
        return Team(id: id, name: value.name, players: try players(json: String(decoding: try JSONEncoder().encode(value.players), as: UTF8.self)), version: value.version)
    }
}

/// How a `TeamEvent` is laid out in the `events` table.
enum EventRow {
    static func insert(_ event: TeamEvent, in db: Database) throws {
        var teamName: String?
        var player: Player?
        let kind: String
        switch event.change {
        case .teamCreated(let name): kind = "TeamCreated"; teamName = name
        case .teamRenamed(let name): kind = "TeamRenamed"; teamName = name
        case .teamDeleted: kind = "TeamDeleted"
        case .playerAdded(let added): kind = "PlayerAdded"; player = added
        case .playerRemoved(let removed): kind = "PlayerRemoved"; player = removed
        }
        try db.cachedStatement(sql: "INSERT INTO events (team_id, version, kind, team_name, player_name, position, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
            arguments: [event.teamID.description, Int64(event.version), kind, teamName, player?.name, player?.position.rawValue, event.occurredAt])
    }

    static func event(from row: Row) throws -> TeamEvent {
        let rawID: String = row["team_id"]
        guard let id = TeamID(rawID) else { throw RepositoryError.corrupt("event team id \(rawID) is not an xid") }
        let kind: String = row["kind"]
        func player() throws -> Player {
            let position: String? = row["position"]
            guard let position, let parsed = Position(rawValue: position) else { throw RepositoryError.corrupt("event without a valid position") }
            return Player(name: row["player_name"] ?? "", position: parsed)
        }
        let change: TeamEvent.Change
        switch kind {
        case "TeamCreated": change = .teamCreated(name: row["team_name"] ?? "")
        case "TeamRenamed": change = .teamRenamed(name: row["team_name"] ?? "")
        case "TeamDeleted": change = .teamDeleted
        case "PlayerAdded": change = .playerAdded(try player())
        case "PlayerRemoved": change = .playerRemoved(try player())
        default: throw RepositoryError.corrupt("unknown event kind \(kind)")
        }
        let sequence: Int64 = row["sequence"]
        let version: Int64 = row["version"]
        return TeamEvent(sequence: UInt64(sequence), teamID: id, version: UInt64(version), change: change, occurredAt: row["occurred_at"])
    }
}
