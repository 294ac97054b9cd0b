import ArgumentParser
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix
import TeamsDomain
import TeamsMemoryStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grpc-teams-server`: `teams.v1.TeamService` over gRPC (grpc-swift-2, HTTP/2 on
/// NIO posix, plaintext) with the same interactor, in-memory store and protoc-c
/// codec as `teams-server --store memory`. The baseline of `teams bench`.
@main
struct GRPCTeamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-teams-server",
        abstract: "Serves teams.v1.TeamService over gRPC, on the in-memory store, for benchmarks.",
        discussion: "Stops on SIGINT or SIGTERM.")

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 7171

    @Option(help: "Event loop threads; default one per core, like teams-server.")
    var threads: Int = System.coreCount

    func run() async throws {
        let store = InMemoryTeamRepository()
        let interactor = TeamInteractor(repository: store)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: host, port: port),
                transportSecurity: .plaintext,
                eventLoopGroup: group),
            services: [TeamServiceProvider(interactor: interactor, storeDescription: "memory")])

        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await server.serve() }
            if let address = try await server.listeningAddress {
                printError("grpc-teams-server listening on \(address) (store memory, threads \(max(1, threads)))")
            }
        }
    }
}

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
