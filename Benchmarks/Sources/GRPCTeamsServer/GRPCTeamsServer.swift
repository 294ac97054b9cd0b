import ArgumentParser
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import TeamsDomain
import TeamsMemoryStore
import TeamsSQLiteStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grpc-teams-server`: `teams.v1.TeamService` over gRPC (grpc-swift-2, HTTP/2 on
/// NIO posix, plaintext) with the same interactor, stores and message codec as
/// `teams-server` (`--store memory`, or `--store sqlite` with the same read cache
/// as teams-server's default). The baseline of `make bench-compare`.
@main
struct GRPCTeamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-teams-server",
        abstract: "Serves teams.v1.TeamService over gRPC, on the memory or SQLite store, for benchmarks.",
        discussion: "Stops on SIGINT or SIGTERM.")

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 7171

    @Option(help: "Event loop threads; default one per core, like teams-server.")
    var threads: Int = System.coreCount

    @Option(help: "memory or sqlite.")
    var store: String = "memory"

    @Option(help: "The SQLite database file, for --store sqlite.")
    var db: String = "grpc-teams.db"

    @Option(help: "SQLite: MiB of teams kept in memory for reads, as teams-server's --cache-mb.")
    var cacheMB: Int = 64

    func validate() throws {
        guard ["memory", "sqlite"].contains(store) else { throw ValidationError("--store must be memory or sqlite, got \"\(store)\"") }
        guard cacheMB >= 0 else { throw ValidationError("--cache-mb must be 0 or more") }
    }

    func run() async throws {
        let interactor: TeamInteractor
        if store == "sqlite" {
            interactor = TeamInteractor(repository: try SQLiteTeamStore(path: db, cacheBytes: cacheMB << 20))
        } else {
            interactor = TeamInteractor(repository: InMemoryTeamRepository())
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: host, port: port),
                transportSecurity: .plaintext,
                eventLoopGroup: group),
            services: [TeamServiceProvider(interactor: interactor, storeDescription: store)])

        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await server.serve() }
            if let address = try await server.listeningAddress {
                printError("grpc-teams-server listening on \(address) (store \(store), threads \(max(1, threads)))")
            }
        }
    }
}

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
