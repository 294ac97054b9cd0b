import Foundation
import TeamsDomain

/// How the CLI prints results: aligned tables for people, JSON with `--json`.
enum Output {
    static func print(_ team: Team, json: Bool) {
        if json { return emit(TeamJSON(team)) }
        var lines = [
            "id       \(team.id)",
            "name     \(team.name)",
            "version  \(team.version)",
            "players  \(team.players.count)",
        ]
        if !team.players.isEmpty {
            lines.append("")
            lines += table(["NAME", "POSITION"], team.players.map { [$0.name, $0.position.rawValue] })
        }
        Swift.print(lines.joined(separator: "\n"))
    }

    static func print(_ teams: [Team], nextPageToken: String, json: Bool) {
        if json { return emit(SearchJSON(teams: teams.map(TeamJSON.init), nextPageToken: nextPageToken)) }
        if teams.isEmpty {
            Swift.print("no teams found")
        } else {
            Swift.print(table(["ID", "NAME", "PLAYERS", "VERSION"], teams.map { [$0.id.description, $0.name, "\($0.players.count)", "\($0.version)"] }).joined(separator: "\n"))
        }
        if !nextPageToken.isEmpty { Swift.print("\nmore: --page-token \(nextPageToken)") }
    }

    static func print(_ event: TeamEvent, json: Bool) {
        if json { return emit(EventJSON(event)) }
        var detail = ""
        switch event.change {
        case .teamCreated(let name), .teamRenamed(let name): detail = "name=\"\(name)\""
        case .teamDeleted: break
        case .playerAdded(let player), .playerRemoved(let player): detail = "player=\"\(player.name)\" position=\(player.position.rawValue)"
        }
        Swift.print("#\(event.sequence)  \(event.name)  team=\(event.teamID) version=\(event.version) \(detail)")
        fflush(nil)  // a pipe is block-buffered; show each event as it comes
    }

    static func printDeleted(_ id: String, json: Bool) {
        if json { return emit(["deleted": id]) }
        Swift.print("deleted \(id)")
    }

    static func printHealth(serving: Bool, store: String, json: Bool) {
        if json { return emit(HealthJSON(serving: serving, store: store)) }
        Swift.print("\(serving ? "SERVING" : "NOT_SERVING") (store \(store))")
    }

    static func printMethods(_ methods: [(name: String, streaming: Bool)], json: Bool) {
        if json { return emit(methods.map { MethodJSON(name: $0.name, serverStreaming: $0.streaming) }) }
        for method in methods { Swift.print(method.name + (method.streaming ? "  (server streaming)" : "")) }
    }

    /// Rows padded to their widest cell, under a header.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    static func emit(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}

struct TeamJSON: Encodable {
    struct PlayerJSON: Encodable {
        var name: String
        var position: String
    }
    var id: String
    var name: String
    var version: UInt64
    var players: [PlayerJSON]

    init(_ team: Team) {
        id = team.id.description
        name = team.name
        version = team.version
        players = team.players.map { PlayerJSON(name: $0.name, position: $0.position.rawValue) }
    }
}

struct EventJSON: Encodable {
    var sequence: UInt64
    var event: String
    var teamId: String
    var version: UInt64
    var teamName: String?
    var player: TeamJSON.PlayerJSON?
    var occurredAtMs: Int64

    init(_ event: TeamEvent) {
        sequence = event.sequence
        self.event = event.name
        teamId = event.teamID.description
        version = event.version
        occurredAtMs = event.occurredAt
        switch event.change {
        case .teamCreated(let name), .teamRenamed(let name): teamName = name
        case .teamDeleted: break
        case .playerAdded(let added), .playerRemoved(let added): player = .init(name: added.name, position: added.position.rawValue)
        }
    }
}

struct SearchJSON: Encodable {
    var teams: [TeamJSON]
    var nextPageToken: String
}

struct HealthJSON: Encodable {
    var serving: Bool
    var store: String
}

struct MethodJSON: Encodable {
    var name: String
    var serverStreaming: Bool
}
