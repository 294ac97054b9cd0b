import ArgumentParser
import Foundation
import TeamsClient
import TeamsDomain
import RPCCore

/// `teams`: the operator's command line for a TeamService server.
@main
struct TeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams",
        abstract: "Manage football teams on a TeamService server.",
        discussion: """
            On failure, prints `CODE: message` to stderr and exits with 10 + the status code
            (e.g. INVALID_ARGUMENT 13, NOT_FOUND 15, ABORTED 20, UNAVAILABLE 24); 64 for bad usage.
            """,
        subcommands: [
            Create.self, Get.self, Rename.self, Delete.self, AddPlayer.self, RemovePlayer.self, Search.self,
            Watch.self, Health.self, Methods.self, Bench.self,
        ])
}

/// Options every subcommand takes, before or after its arguments.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Server address as HOST:PORT (env TEAMS_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["TEAMS_SERVER"] ?? "127.0.0.1:7070"

    @Option(help: "Seconds to wait for each call.")
    var timeout: Double = 10

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        guard hostAndPort != nil else { throw ValidationError("--server must be HOST:PORT, got \"\(server)\"") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    var hostAndPort: (host: String, port: Int)? {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        return (String(server[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    /// Connects, runs `body`, and turns an `RPCError` into `CODE: message` and an exit code.
    func withClient<T>(_ body: (TeamsClient) async throws(RPCError) -> T) async throws -> T {
        let (host, port) = hostAndPort!
        do {
            let client = try await TeamsClient.connect(
                host: host, port: port, options: CallOptions(timeout: .milliseconds(Int64(timeout * 1000))),
                connectTimeout: .milliseconds(Int64(timeout * 1000)))
            defer { Task { await client.close() } }
            return try await body(client)
        } catch {
            FileHandle.standardError.write(Data("\(error.code): \(error.message)\n".utf8))
            throw ExitCode(10 + Int32(error.code.rawValue))
        }
    }
}
