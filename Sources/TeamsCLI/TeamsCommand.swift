import ArgumentParser
import BuildInfo
import Foundation
import TeamsClient
import TeamsDomain
import RPCCore
import RPCTransportNIO

/// `teams`: the operator's command line for a TeamService server.
@main
struct TeamsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams",
        abstract: "Manage football teams on a TeamService server.",
        discussion: """
            On failure, prints `CODE: message` to stderr and exits with 10 + the status code \
            (e.g. INVALID_ARGUMENT 13, NOT_FOUND 15, ABORTED 20, UNAVAILABLE 24); 64 for bad usage. \
            The connection options may come before the subcommand too: `teams --server HOST:PORT health`.
            """,
        version: BuildInfo.description,
        subcommands: [
            Create.self, Get.self, Rename.self, Delete.self, AddPlayer.self, RemovePlayer.self, Search.self,
            Watch.self, Health.self, Methods.self, Call.self, Describe.self, Bench.self,
        ])

    /// Parses with the connection options moved after the subcommand, where
    /// ArgumentParser looks for them, so `teams --server X health` works as `teams health --server X`.
    static func main() async {
        await main(GlobalOptions.movedAfterSubcommand(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Options every subcommand takes, before or after its arguments.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Server addresses as HOST:PORT, comma-separated; calls go to the least busy (env TEAMS_SERVER).")
    var server: String = environmentValue("TEAMS_SERVER") ?? "127.0.0.1:7070"

    @Option(help: "Seconds to wait for each call, retries and reconnects included.")
    var timeout: Double = 10

    @Flag(help: "Print machine-readable JSON; errors too, as {\"code\": ..., \"message\": ...} on stderr.")
    var json = false

    @Flag(help: "Wait up to --timeout for a server to be reachable, instead of failing at once when none is (gRPC's wait-for-ready).")
    var waitForReady = false

    @Flag(help: "Connect with TLS, trusting the system's CAs (env TEAMS_TLS=1).")
    var tls = false

    @Option(help: "PEM CA to trust for the server's certificate; implies --tls (env TEAMS_TLS_CA).")
    var tlsCa: String? = environmentValue("TEAMS_TLS_CA")

    @Option(help: "PEM client certificate for mutual TLS, with --tls-key (env TEAMS_TLS_CLIENT_CERT).")
    var tlsCert: String? = environmentValue("TEAMS_TLS_CLIENT_CERT")

    @Option(help: "PEM private key of --tls-cert (env TEAMS_TLS_CLIENT_KEY).")
    var tlsKey: String? = environmentValue("TEAMS_TLS_CLIENT_KEY")

    @Option(help: "The name the server's certificate must carry; default the server's host.")
    var tlsServerName: String?

    @Option(help: "A file whose first line is the token that names you to the server (else env TEAMS_TOKEN).")
    var tokenFile: String?

    /// The options above that take a value; the rest are flags.
    static let optionsWithValues: Set<String> = ["--server", "--timeout", "--tls-ca", "--tls-cert", "--tls-key", "--tls-server-name", "--token-file"]
    static let flags: Set<String> = ["--json", "--wait-for-ready", "--tls"]

    /// `arguments` with the connection options that come before the subcommand moved
    /// after it. Anything else before the subcommand is left where it is, for
    /// ArgumentParser to refuse or to handle (`--help`).
    static func movedAfterSubcommand(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) || (optionsWithValues.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if optionsWithValues.contains(argument), index + 1 < arguments.endIndex {
                leading += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.endIndex, !arguments[index].hasPrefix("-") else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }

    func validate() throws {
        do {
            _ = try Endpoint.list(parsing: server)
        } catch {
            throw ValidationError("--server (or TEAMS_SERVER) must be HOST:PORT[,HOST:PORT...]: \(error)")
        }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be more than 0 and at most 86400 seconds, got \(timeout)") }
        for (flag, path) in [("--tls-ca", tlsCa), ("--tls-cert", tlsCert), ("--tls-key", tlsKey), ("--token-file", tokenFile)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) { throw ValidationError("\(flag) \(path) is not a readable file") }
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if let tokenFile, token(fromFile: tokenFile) == nil { throw ValidationError("--token-file \(tokenFile) holds no token on its first line") }
        if let value = environmentValue("TEAMS_TLS"), !["1", "true", "yes", "0", "false", "no"].contains(value.lowercased()) {
            throw ValidationError("TEAMS_TLS=\(value) is not valid: expected 1, true, yes, 0, false or no")
        }
    }

    /// TLS when asked for, by a flag, a CA, a client certificate or TEAMS_TLS.
    var clientTLS: ClientTLS? {
        let fromEnvironment = ["1", "true", "yes"].contains(environmentValue("TEAMS_TLS")?.lowercased() ?? "")
        guard tls || fromEnvironment || tlsCa != nil || tlsCert != nil else { return nil }
        return ClientTLS(trustRootsFile: tlsCa, certificateChainFile: tlsCert, privateKeyFile: tlsKey, serverHostname: tlsServerName)
    }

    /// --token-file's first line, else TEAMS_TOKEN.
    var authToken: String? {
        if let tokenFile { return token(fromFile: tokenFile) }
        return environmentValue("TEAMS_TOKEN")
    }

    private func token(fromFile path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let first = text.split(separator: "\n", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        return first.isEmpty ? nil : first
    }

    /// Validated by `validate()`.
    var endpoints: [Endpoint] { (try? Endpoint.list(parsing: server)) ?? [] }

    var clientConfiguration: ClientConfiguration {
        var configuration = ClientConfiguration()
        configuration.defaultTimeout = .milliseconds(Int64(timeout * 1000))
        configuration.connectTimeout = .milliseconds(Int64(min(timeout, 20) * 1000))
        configuration.authToken = authToken
        return configuration
    }

    /// Connects, runs `body`, and turns an `RPCError` into `CODE: message` (a JSON object
    /// with --json) on stderr and the exit code 10 + the status code.
    func withClient<T>(_ body: (TeamsClient) async throws(RPCError) -> T) async throws -> T {
        do {
            return try await withConnection(to: endpoints, body)
        } catch {
            Output.printError(error, json: json)
            throw ExitCode(10 + Int32(error.code.rawValue))
        }
    }

    /// Connects to `endpoints` with these options, runs `body`, and closes.
    func withConnection<T>(to endpoints: [Endpoint], _ body: (TeamsClient) async throws(RPCError) -> T) async throws(RPCError) -> T {
        let client = try await TeamsClient.connect(
            endpoints: endpoints, configuration: clientConfiguration, tls: clientTLS,
            options: CallOptions(timeout: .milliseconds(Int64(timeout * 1000)), waitForReady: waitForReady))
        defer { Task { await client.close() } }
        return try await body(client)
    }
}

/// An environment variable's value; an empty one counts as unset.
func environmentValue(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}
