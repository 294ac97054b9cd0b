import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TeamsDomain
import TeamsEventLog
import RPCCore
import RPCTransportNIO
import TeamsService

/// `teams-server`: serves TeamService on a TCP port.
@main
struct TeamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams-server",
        abstract: "Serves TeamService over the binary protocol of docs/PROTOCOL.md.",
        discussion: "Each option can also be set by the environment variable named in its help. SIGINT or SIGTERM stop accepting, let calls in flight finish, and exit 0.")

    @Option(help: "Address to listen on (env TEAMS_HOST).")
    var host: String = environment("TEAMS_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env TEAMS_PORT).")
    var port: Int = environment("TEAMS_PORT").flatMap(Int.init) ?? 7070

    @Option(help: "Where teams are stored: sqlite:PATH (durable), dynamodb:TABLE (shared by many servers) or memory (env TEAMS_STORE).")
    var store: StoreChoice = environment("TEAMS_STORE").flatMap(StoreChoice.init(argument:)) ?? .default

    @Flag(help: "Do not create the DynamoDB table; fail start-up if it is missing (env TEAMS_NO_CREATE_TABLE=1).")
    var noCreateTable = false

    /// The flag, or TEAMS_NO_CREATE_TABLE set to 1, true or yes (a flag cannot default to true).
    var createsTable: Bool {
        !noCreateTable && !["1", "true", "yes"].contains(environment("TEAMS_NO_CREATE_TABLE")?.lowercased() ?? "")
    }

    @Option(help: "Largest request frame accepted, in bytes (env TEAMS_MAX_FRAME_BYTES).")
    var maxFrameBytes: UInt32 = environment("TEAMS_MAX_FRAME_BYTES").flatMap(UInt32.init) ?? FrameDecoder.defaultMaximumFrameLength

    @Option(help: "trace, debug, info, notice, warning, error or critical (env TEAMS_LOG_LEVEL).")
    var logLevel: Logger.Level = environment("TEAMS_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info

    @Option(help: "Days to keep events for WatchEvents (env TEAMS_EVENT_RETENTION_DAYS).")
    var eventRetentionDays: Double = environment("TEAMS_EVENT_RETENTION_DAYS").flatMap(Double.init) ?? 7

    @Option(help: "Event loop threads; default one per core (env TEAMS_THREADS).")
    var threads: Int = environment("TEAMS_THREADS").flatMap(Int.init) ?? System.coreCount

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "teams-server")

        let teamStore: any TeamStore
        do {
            teamStore = try await store.open(createTable: createsTable)
        } catch {
            // One clear line naming the store and the cause, then a non-zero exit.
            FileHandle.standardError.write(Data("teams-server: \(error)\n".utf8))
            throw ExitCode(2)
        }

        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: teamStore, changes: changes)
        let relay = EventRelay(
            outbox: teamStore, publisher: LoggingEventPublisher(logger: Logger(label: "teams.events")), changes: changes,
            retention: .seconds(Int64(eventRetentionDays * 86_400)))
        let watch = EventWatch(outbox: teamStore, changes: changes)
        let table = TeamServiceMethods.table(interactor: interactor, storeDescription: store.description, events: watch)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let configuration = RPCServer.Configuration(host: host, port: port, maximumFrameLength: maxFrameBytes)

        let server: RPCServer
        do {
            server = try await RPCServer(configuration: configuration, table: table, group: group, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("teams-server: cannot listen on \(host):\(port): \(error)\n".utf8))
            throw ExitCode(3)
        }
        logger.info("teams-server listening", metadata: [
            "address": "\(server.localAddress)", "store": "\(store)", "threads": "\(threads)",
            "max_frame_bytes": "\(maxFrameBytes)",
        ])

        let services: [any Service] = [EventRelayService(relay: relay, logger: logger), RPCServerService(server: server, logger: logger)]
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        // The event loops end with the process; shutting them down here races
        // NIOExtras' quiescing bookkeeping, which may still schedule a callback.
        logger.info("teams-server stopped")
    }
}

/// Runs the RPC server until a graceful shutdown, then drains it.
struct RPCServerService: Service {
    let server: RPCServer
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("shutting down: no new calls; waiting for calls in flight")
        await server.shutdownGracefully()
    }
}

/// Publishes stored events until shutdown.
struct EventRelayService: Service {
    let relay: EventRelay
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await relay.run { error in
                // Shutdown cancels the relay's store call; that is not worth a warning.
                guard !Task.isCancelled else { return }
                logger.warning("event relay: store error, retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}

func environment(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
