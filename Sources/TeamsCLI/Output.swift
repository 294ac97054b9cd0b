import Foundation
import TeamsDomain

/// How the CLI prints results: aligned tables for people, JSON with `--json`.
///
/// Every line goes through `line(_:)`, one `write` each, so it reaches a pipe or a
/// file as it is printed, even if the process is then interrupted (`watch | tee`).
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

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
        line(lines.joined(separator: "\n"))
    }

    static func print(_ teams: [Team], nextPageToken: String, json: Bool) {
        if json { return emit(SearchJSON(teams: teams.map(TeamJSON.init), nextPageToken: nextPageToken)) }
        if teams.isEmpty {
            line("no teams found")
        } else {
            line(table(["ID", "NAME", "PLAYERS", "VERSION"], teams.map { [$0.id.description, $0.name, "\($0.players.count)", "\($0.version)"] }).joined(separator: "\n"))
        }
        if !nextPageToken.isEmpty { line("\nmore: --page-token \(nextPageToken)") }
    }

    static func print(_ event: TeamEvent, json: Bool) {
        if json { return emit(EventJSON(event)) }
        var detail = ""
        switch event.change {
        case .teamCreated(let name), .teamRenamed(let name): detail = "name=\"\(name)\""
        case .teamDeleted: break
        case .playerAdded(let player), .playerRemoved(let player): detail = "player=\"\(player.name)\" position=\(player.position.rawValue)"
        }
        line("#\(event.sequence)  \(event.name)  team=\(event.teamID) version=\(event.version) \(detail)")
    }

    static func printDeleted(_ id: String, json: Bool) {
        if json { return emit(["deleted": id]) }
        line("deleted \(id)")
    }

    static func printHealth(serving: Bool, store: String, json: Bool) {
        if json { return emit(HealthJSON(serving: serving, store: store)) }
        line("\(serving ? "SERVING" : "NOT_SERVING") (store \(store))")
    }

    static func printMethods(_ methods: [(name: String, streaming: Bool)], json: Bool) {
        if json { return emit(methods.map { MethodJSON(name: $0.name, serverStreaming: $0.streaming) }) }
        for method in methods { line(method.name + (method.streaming ? "  (server streaming)" : "")) }
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
        line(String(decoding: data, as: UTF8.self))
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
