import Foundation
import RPCCore
import TeamsClient
import TeamsDomain

/// How the CLI prints results: aligned tables for people, JSON with `--json`.
///
/// Every line goes through `line(_:)`, one `write` each, so it reaches a pipe or a
/// file as it is printed, even if the process is then interrupted (`watch | tee`).
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A line on stderr: progress and notes that are not the command's output.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A failed call on stderr: `CODE: message`, or its JSON object.
    static func printError(_ error: RPCError, json: Bool) {
        guard json else { return note("\(error.code): \(error.message)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        note(String(decoding: (try? encoder.encode(ErrorJSON(error))) ?? Data(), as: UTF8.self))
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
        line("\(timestamp(milliseconds: event.occurredAt))  #\(event.sequence)  \(event.name)  team=\(event.teamID) version=\(event.version) \(detail)")
    }

    static func printDeleted(_ id: String, json: Bool) {
        if json { return emit(["deleted": id]) }
        line("deleted \(id)")
    }

    static func printHealth(_ health: TeamsClient.Health, json: Bool) {
        if json { return emit(HealthJSON(health)) }
        line(describe(health))
    }

    /// One line per server, in the order given: its health, or why it could not say.
    static func printHealth(of servers: [(server: String, result: Result<TeamsClient.Health, RPCError>)], json: Bool) {
        if json {
            return emit(servers.map { server, result in
                switch result {
                case .success(let health): HealthJSON(health, server: server)
                case .failure(let error): HealthJSON(server: server, error: ErrorJSON(error))
                }
            })
        }
        let width = servers.map(\.server.count).max() ?? 0
        for (server, result) in servers {
            let said: String
            switch result {
            case .success(let health): said = describe(health)
            case .failure(let error): said = "\(error.code): \(error.message)"
            }
            line(server.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + said)
        }
    }

    private static func describe(_ health: TeamsClient.Health) -> String {
        "\(health.serving ? "SERVING" : "NOT_SERVING") (store \(health.store)" + (health.version.isEmpty ? ")" : ", version \(health.version))")
    }

    static func printMethods(_ methods: [(name: String, streaming: Bool)], json: Bool) {
        if json { return emit(methods.map { MethodJSON(name: $0.name, serverStreaming: $0.streaming) }) }
        for method in methods { line(method.name + (method.streaming ? "  (server streaming)" : "")) }
    }

    /// `2026-12-07T08:31:02.123Z`: UTC, to the millisecond.
    static func timestamp(milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
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
    var server: String?
    var serving: Bool?
    var store: String?
    var version: String?
    var error: ErrorJSON?

    init(_ health: TeamsClient.Health, server: String? = nil) {
        self.server = server
        serving = health.serving
        store = health.store
        version = health.version.isEmpty ? nil : health.version
    }

    init(server: String, error: ErrorJSON) {
        self.server = server
        self.error = error
    }
}

/// A failed call, as `--json` prints it: `{"code": "NOT_FOUND", "message": "..."}`.
struct ErrorJSON: Encodable {
    var code: String
    var message: String

    init(_ error: RPCError) {
        code = "\(error.code)"
        message = error.message
    }
}

struct MethodJSON: Encodable {
    var name: String
    var serverStreaming: Bool
}
