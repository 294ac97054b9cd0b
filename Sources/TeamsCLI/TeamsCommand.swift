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
    @Option(help: "Server addresses as HOST:PORT, comma-separated; calls go to the least busy (env TEAMS_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["TEAMS_SERVER"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:7070"

    @Option(help: "Seconds to wait for each call, retries and reconnects included.")
    var timeout: Double = 10

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        do {
            _ = try Endpoint.list(parsing: server)
        } catch {
            throw ValidationError("--server (or TEAMS_SERVER) must be HOST:PORT[,HOST:PORT...]: \(error)")
        }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be between 0 and 86400 seconds, got \(timeout)") }
    }

    /// Validated by `validate()`.
    var endpoints: [Endpoint] { (try? Endpoint.list(parsing: server)) ?? [] }

    var clientConfiguration: ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.defaultTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.connectTimeout = .milliseconds(Int64(min(timeout, 20) * 1000))
        return configuration
    }

    /// Connects, runs `body`, and turns an `RPCError` into `CODE: message` and an exit code.
    func withClient<T>(_ body: (TeamsClient) async throws(RPCError) -> T) async throws -> T {
        do {
            let client = try await TeamsClient.connect(
                endpoints: endpoints, configuration: clientConfiguration, options: CallOptions(timeout: .milliseconds(Int64(timeout * 1000))))
            defer { Task { await client.close() } }
            return try await body(client)
        } catch {
            FileHandle.standardError.write(Data("\(error.code): \(error.message)\n".utf8))
            throw ExitCode(10 + Int32(error.code.rawValue))
        }
    }
}
