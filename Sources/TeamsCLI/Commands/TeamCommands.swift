import ArgumentParser
import TeamsClient
import TeamsDomain
import RPCCore

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a team.")
    @Argument(help: "The team's name, 1 to 100 characters.") var name: String
    @Option(help: "Makes retries safe: the same key within 24 hours returns the first team.") var idempotencyKey: String = ""
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let team = try await global.withClient { client throws(RPCError) in try await client.createTeam(name: name, idempotencyKey: idempotencyKey) }
        Output.print(team, json: global.json)
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a team and its players.")
    @Argument(help: "The team id.") var id: String
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let team = try await global.withClient { client throws(RPCError) in try await client.getTeam(id: id) }
        Output.print(team, json: global.json)
    }
}

struct Rename: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rename a team.")
    @Argument(help: "The team id.") var id: String
    @Argument(help: "The new name.") var name: String
    @Option(help: "Fail with ABORTED unless the team is at this version; without it, no check.") var expectedVersion: UInt64?
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let team = try await global.withClient { client throws(RPCError) in
            try await client.renameTeam(id: id, to: name, expectedVersion: expectedVersion ?? 0)
        }
        Output.print(team, json: global.json)
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a team.")
    @Argument(help: "The team id.") var id: String
    @Option(help: "Fail with ABORTED unless the team is at this version; without it, no check.") var expectedVersion: UInt64?
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client throws(RPCError) in try await client.deleteTeam(id: id, expectedVersion: expectedVersion ?? 0) }
        Output.printDeleted(id, json: global.json)
    }
}

/// The arguments AddPlayer and RemovePlayer share.
struct PlayerChange: ParsableArguments {
    @Argument(help: "The team id.") var id: String
    @Argument(help: "The player's name.") var name: String
    @Argument(help: "GK, DEF, MID or ST.") var position: String
    @Option(help: "Fail with ABORTED unless the team is at this version; without it, no check.") var expectedVersion: UInt64?

    /// An unknown position is sent as unspecified, so the server names the rule.
    var parsedPosition: Position? { Position(code: position) }
}

struct AddPlayer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-player", abstract: "Add a player to a team; names are unique in a team.")
    @OptionGroup var player: PlayerChange
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let team = try await global.withClient { [player] client throws(RPCError) in
            try await client.addPlayer(teamID: player.id, name: player.name, position: player.parsedPosition, expectedVersion: player.expectedVersion ?? 0)
        }
        Output.print(team, json: global.json)
    }
}

struct RemovePlayer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove-player", abstract: "Remove the player with this name and position from a team.")
    @OptionGroup var player: PlayerChange
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let team = try await global.withClient { [player] client throws(RPCError) in
            try await client.removePlayer(teamID: player.id, name: player.name, position: player.parsedPosition, expectedVersion: player.expectedVersion ?? 0)
        }
        Output.print(team, json: global.json)
    }
}

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Find teams whose name contains TERM, ignoring case.")
    @Argument(help: "Part of the name; omit to list every team.") var term: String = ""
    @Option(help: "Teams per page, 1 to 500; the server's default is 50.") var pageSize: Int?
    @Option(help: "The token printed with the previous page.") var pageToken: String = ""
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func validate() throws {
        if let pageSize, !(1...500).contains(pageSize) { throw ValidationError("--page-size must be 1 to 500, got \(pageSize)") }
    }

    func run() async throws {
        let page = try await global.withClient { client throws(RPCError) in
            try await client.searchTeams(term: term, pageSize: pageSize ?? 0, pageToken: pageToken)
        }
        Output.print(page.teams, nextPageToken: page.nextPageToken, json: global.json)
    }
}

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the server is serving; with several --server addresses, each one.",
        discussion: "Exits 0 when every server answers SERVING; otherwise with the first failure's code (10 + status), or 1 for NOT_SERVING.")
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let endpoints = global.endpoints
        guard endpoints.count > 1 else {
            let health = try await global.withClient { client throws(RPCError) in try await client.check() }
            Output.printHealth(health, json: global.json)
            if !health.serving { throw ExitCode(1) }
            return
        }
        // One client per endpoint, asked at once: a fleet's health is each server's.
        let reports = await withTaskGroup(of: (Int, Result<TeamsClient.Health, RPCError>).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do throws(RPCError) {
                        return (index, .success(try await global.withConnection(to: [endpoint]) { client throws(RPCError) in try await client.check() }))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var reports: [(Int, Result<TeamsClient.Health, RPCError>)] = []
            for await report in group { reports.append(report) }
            return reports.sorted { $0.0 < $1.0 }.map { (endpoints[$0.0].description, $0.1) }
        }
        Output.printHealth(of: reports, json: global.json)
        for (_, result) in reports {
            switch result {
            case .failure(let error): throw ExitCode(10 + Int32(error.code.rawValue))
            case .success(let health) where !health.serving: throw ExitCode(1)
            case .success: continue
            }
        }
    }
}

struct Methods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the methods the server implements.")
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        let methods = try await global.withClient { client throws(RPCError) in try await client.listMethods() }
        Output.printMethods(methods.map { ($0.name, $0.serverStreaming) }, json: global.json)
    }
}
