import ArgumentParser
import BuildInfo
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import UnixSignals
import TeamsDomain
import TeamsDynamoDBStore
import TeamsEventLog
import TeamsLogLines
import RPCCore
import RPCTransportNIO
import TeamsService

/// `teams-server`: serves TeamService on a TCP port.
///
/// Every option is a flag or an environment variable (the flag wins; an empty
/// variable counts as unset), listed with its default and accepted values in
/// `ServerOptions`. A value that is not accepted, or a command line that does not
/// parse, stops start-up with one line on stderr naming the flag or variable, the
/// value and what is accepted, and exit code 64 (EX_USAGE).
@main
struct TeamsServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teams-server",
        abstract: "Serves TeamService over the binary protocol of docs/PROTOCOL.md.",
        discussion: "Each option can also be set by the environment variable named in its help; the flag wins, and an empty variable counts as unset. A value that is not accepted stops start-up with exit code 64. Durations are written like 500ms, 30s, 2m or 1h. SIGINT or SIGTERM stop accepting, let calls in flight finish, and exit 0. Exit codes: 64 for a bad option, 2 when the store cannot be opened, 3 when a port is in use.",
        version: BuildInfo.description)

    // Read as text and parsed by `ServerOptions`, so that a bad flag and a bad
    // variable get the same one-line message. `.unconditional` lets a value start
    // with a dash (`--threads -1` is then reported as a bad number).
    @Option(name: .customLong(ServerOptions.host.name), parsing: .unconditional, help: ServerOptions.host.help)
    var host: String?

    @Option(name: .customLong(ServerOptions.port.name), parsing: .unconditional, help: ServerOptions.port.help)
    var port: String?

    @Option(name: .customLong(ServerOptions.store.name), parsing: .unconditional, help: ServerOptions.store.help)
    var store: String?

    @Flag(name: .customLong(ServerOptions.noCreateTable.name), help: ArgumentHelp(ServerOptions.noCreateTable.help.abstract))
    var noCreateTable = false

    @Option(name: .customLong(ServerOptions.cacheMB.name), parsing: .unconditional, help: ServerOptions.cacheMB.help)
    var cacheMB: String?

    @Option(name: .customLong(ServerOptions.maxFrameBytes.name), parsing: .unconditional, help: ServerOptions.maxFrameBytes.help)
    var maxFrameBytes: String?

    @Option(name: .customLong(ServerOptions.logLevel.name), parsing: .unconditional, help: ServerOptions.logLevel.help)
    var logLevel: String?

    @Option(name: .customLong(ServerOptions.logFormat.name), parsing: .unconditional, help: ServerOptions.logFormat.help)
    var logFormat: String?

    @Flag(name: .customLong(ServerOptions.accessLog.name), help: ArgumentHelp(ServerOptions.accessLog.help.abstract))
    var accessLog = false

    @Option(name: .customLong(ServerOptions.metricsPort.name), parsing: .unconditional, help: ServerOptions.metricsPort.help)
    var metricsPort: String?

    @Option(name: .customLong(ServerOptions.metricsHost.name), parsing: .unconditional, help: ServerOptions.metricsHost.help)
    var metricsHost: String?

    @Option(name: .customLong(ServerOptions.metricsMaxConnections.name), parsing: .unconditional, help: ServerOptions.metricsMaxConnections.help)
    var metricsMaxConnections: String?

    @Option(name: .customLong(ServerOptions.metricsIdleTimeout.name), parsing: .unconditional, help: ServerOptions.metricsIdleTimeout.help)
    var metricsIdleTimeout: String?

    @Option(name: .customLong(ServerOptions.eventRetentionDays.name), parsing: .unconditional, help: ServerOptions.eventRetentionDays.help)
    var eventRetentionDays: String?

    @Option(name: .customLong(ServerOptions.threads.name), parsing: .unconditional, help: ServerOptions.threads.help)
    var threads: String?

    @Option(name: .customLong(ServerOptions.maxConnections.name), parsing: .unconditional, help: ServerOptions.maxConnections.help)
    var maxConnections: String?

    @Option(name: .customLong(ServerOptions.maxCallsPerConnection.name), parsing: .unconditional, help: ServerOptions.maxCallsPerConnection.help)
    var maxCallsPerConnection: String?

    @Option(name: .customLong(ServerOptions.idleTimeout.name), parsing: .unconditional, help: ServerOptions.idleTimeout.help)
    var idleTimeout: String?

    @Option(name: .customLong(ServerOptions.frameReadTimeout.name), parsing: .unconditional, help: ServerOptions.frameReadTimeout.help)
    var frameReadTimeout: String?

    @Option(name: .customLong(ServerOptions.drainTimeout.name), parsing: .unconditional, help: ServerOptions.drainTimeout.help)
    var drainTimeout: String?

    @Option(name: .customLong(ServerOptions.minPingInterval.name), parsing: .unconditional, help: ServerOptions.minPingInterval.help)
    var minPingInterval: String?

    @Option(name: .customLong(ServerOptions.tlsCert.name), parsing: .unconditional, help: ServerOptions.tlsCert.help)
    var tlsCert: String?

    @Option(name: .customLong(ServerOptions.tlsKey.name), parsing: .unconditional, help: ServerOptions.tlsKey.help)
    var tlsKey: String?

    @Option(name: .customLong(ServerOptions.tlsClientCA.name), parsing: .unconditional, help: ServerOptions.tlsClientCA.help)
    var tlsClientCA: String?

    @Option(name: .customLong(ServerOptions.tlsHandshakeTimeout.name), parsing: .unconditional, help: ServerOptions.tlsHandshakeTimeout.help)
    var tlsHandshakeTimeout: String?

    @Option(name: .customLong(ServerOptions.authTimeout.name), parsing: .unconditional, help: ServerOptions.authTimeout.help)
    var authTimeout: String?

    @Option(name: .customLong(ServerOptions.authTokens.name), parsing: .unconditional, help: ServerOptions.authTokens.help)
    var authTokens: String?

    @Flag(name: .customLong(ServerOptions.allowInsecure.name), help: ArgumentHelp(ServerOptions.allowInsecure.help.abstract))
    var allowInsecure = false

    /// Each setting from its flag, else its environment variable, else its default.
    /// - Throws: `ConfigurationError` for the first value that is not accepted.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ServerSettings {
        // The flag takes no value: given, it wins; absent, the variable (or the default, off) decides.
        var createsNoTable = self.noCreateTable
        if !createsNoTable {
            createsNoTable = try ServerOptions.noCreateTable.resolve(flag: nil, environment: environment)
        }
        var allowsInsecure = self.allowInsecure
        if !allowsInsecure {
            allowsInsecure = try ServerOptions.allowInsecure.resolve(flag: nil, environment: environment)
        }
        var logsEveryCall = self.accessLog
        if !logsEveryCall {
            logsEveryCall = try ServerOptions.accessLog.resolve(flag: nil, environment: environment)
        }
        let settings = ServerSettings(
            host: try ServerOptions.host.resolve(flag: host, environment: environment),
            port: try ServerOptions.port.resolve(flag: port, environment: environment),
            store: try ServerOptions.store.resolve(flag: store, environment: environment),
            noCreateTable: createsNoTable,
            cacheMB: try ServerOptions.cacheMB.resolve(flag: cacheMB, environment: environment),
            maxFrameBytes: try ServerOptions.maxFrameBytes.resolve(flag: maxFrameBytes, environment: environment),
            logLevel: try ServerOptions.logLevel.resolve(flag: logLevel, environment: environment),
            logFormat: try ServerOptions.logFormat.resolve(flag: logFormat, environment: environment),
            accessLog: logsEveryCall,
            metricsPort: try ServerOptions.metricsPort.resolve(flag: metricsPort, environment: environment),
            metricsHost: try ServerOptions.metricsHost.resolve(flag: metricsHost, environment: environment),
            metricsMaxConnections: try ServerOptions.metricsMaxConnections.resolve(flag: metricsMaxConnections, environment: environment),
            metricsIdleTimeout: try ServerOptions.metricsIdleTimeout.resolve(flag: metricsIdleTimeout, environment: environment),
            eventRetentionDays: try ServerOptions.eventRetentionDays.resolve(flag: eventRetentionDays, environment: environment),
            threads: try ServerOptions.threads.resolve(flag: threads, environment: environment),
            maxConnections: try ServerOptions.maxConnections.resolve(flag: maxConnections, environment: environment),
            maxCallsPerConnection: try ServerOptions.maxCallsPerConnection.resolve(flag: maxCallsPerConnection, environment: environment),
            idleTimeout: try ServerOptions.idleTimeout.resolve(flag: idleTimeout, environment: environment),
            frameReadTimeout: try ServerOptions.frameReadTimeout.resolve(flag: frameReadTimeout, environment: environment),
            drainTimeout: try ServerOptions.drainTimeout.resolve(flag: drainTimeout, environment: environment),
            minPingInterval: try ServerOptions.minPingInterval.resolve(flag: minPingInterval, environment: environment),
            tlsCert: try ServerOptions.tlsCert.resolve(flag: tlsCert, environment: environment),
            tlsKey: try ServerOptions.tlsKey.resolve(flag: tlsKey, environment: environment),
            tlsClientCA: try ServerOptions.tlsClientCA.resolve(flag: tlsClientCA, environment: environment),
            tlsHandshakeTimeout: try ServerOptions.tlsHandshakeTimeout.resolve(flag: tlsHandshakeTimeout, environment: environment),
            authTimeout: try ServerOptions.authTimeout.resolve(flag: authTimeout, environment: environment),
            authTokens: try ServerOptions.authTokens.resolve(flag: authTokens, environment: environment),
            allowInsecure: allowsInsecure)
        try settings.validate()
        return settings
    }

    /// Parses the command line and runs, as ArgumentParser's own `main()` does, but a
    /// failure is one line on stderr (no usage dump): `teams-server: ` and the
    /// message, then its exit code (64 for bad usage and bad settings). Help,
    /// `--version` and an `ExitCode` thrown by `run()` are left to ArgumentParser.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitOnFailure(error)
        }
    }

    static func exitOnFailure(_ error: any Error) -> Never {
        if error is ExitCode || exitCode(for: error).isSuccess {
            exit(withError: error)
        }
        let line: String
        let code: ExitCode
        if let error = error as? ConfigurationError {
            line = error.description
            code = .validationFailure
        } else {
            let firstLine = message(for: error).split(whereSeparator: \.isNewline).first.map { String($0) } ?? ""
            line = firstLine.isEmpty ? String(describing: error) : firstLine
            code = exitCode(for: error)
        }
        FileHandle.standardError.write(Data("teams-server: \(line)\n".utf8))
        exit(withError: code)
    }

    func run() async throws {
        let settings = try resolved()
        try settings.fitFileDescriptorLimit()
        settings.logFormat.bootstrap(level: settings.logLevel)
        let logger = Logger(label: "teams-server")
        // With metrics off nothing is bootstrapped: adapters' handles are no-ops and the hot path has no handles at all.
        let factory = settings.metricsPort.map { _ in PrometheusMetrics() }
        if let factory { MetricsSystem.bootstrap(factory) }

        // Files named by the settings are checked before anything starts: one line on failure.
        var authenticator: TokenAuthenticator?
        do {
            _ = try settings.tls?.makeContext()
            if settings.authenticatesCallers {
                authenticator = TokenAuthenticator(tokens: try settings.authTokens.map { path throws(TokensFileError) in try TokensFile.load(path) })
            }
        } catch {
            Self.exitOnFailure(ConfigurationError.unusable("\(error)"))
        }

        var teamStore: any TeamStore
        var relayLease: (any RelayLease)?
        var sequencer: FleetSequencer?
        do {
            teamStore = try await settings.store.open(createTable: !settings.noCreateTable, cacheBytes: settings.cacheMB << 20)
            if let shared = teamStore as? DynamoDBTeamStore {
                // Servers sharing a table take turns numbering its changes and publishing its events: one at a time.
                let owner = UUID().uuidString
                relayLease = shared.relayLease(owner: owner)
                sequencer = try await shared.sequencer(owner: owner)
            }
            if let factory { teamStore = MeasuredTeamStore(teamStore, kind: settings.store.kind, factory: factory) }
        } catch {
            // One clear line naming the store and the cause, then a non-zero exit.
            FileHandle.standardError.write(Data("teams-server: \(error)\n".utf8))
            throw ExitCode(2)
        }

        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: teamStore, changes: changes)
        var publisher: any EventPublisher = LogLineEventPublisher(format: settings.logFormat, level: settings.logLevel)
        if let factory { publisher = MeasuredEventPublisher(publisher, factory: factory) }
        let relay = EventRelay(
            outbox: teamStore, publisher: publisher, changes: changes, lease: relayLease,
            retention: .seconds(Int64(settings.eventRetentionDays * 86_400)))
        let watch = EventWatch(outbox: teamStore, changes: changes)
        // Health/Check is open to anyone: it names the kind of store, never its path or table.
        let table = TeamServiceMethods.table(interactor: interactor, storeDescription: settings.store.kind, events: watch, serverVersion: BuildInfo.description)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        let configuration = settings.rpcConfiguration

        // Trapped before the port opens: a SIGTERM in the moments before the service
        // group starts would otherwise end the process by default, with no drain.
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let server: RPCServer
        do {
            server = try await RPCServer(
                configuration: configuration, table: table, group: group, logger: logger, authenticator: authenticator,
                metrics: factory.map { ServerMetrics(table: table, factory: $0) })
        } catch {
            FileHandle.standardError.write(Data("teams-server: cannot listen on \(settings.host):\(settings.port): \(error)\n".utf8))
            throw ExitCode(3)
        }
        var effective = settings.logMetadata
        effective["address"] = "\(server.localAddress)"
        logger.info("teams-server listening", metadata: effective)

        var services: [any Service] = [EventRelayService(relay: relay, logger: logger), RPCServerService(server: server, logger: logger)]
        if settings.store.isSharedByServers {
            services.append(ChangePollerService(poller: ChangePoller(outbox: teamStore, changes: changes), logger: logger))
        }
        if let sequencer { services.append(SequencerService(sequencer: sequencer)) }
        if let authenticator, let path = settings.authTokens {
            services.append(TokensReloadService(authenticator: authenticator, path: path, logger: logger))
        }
        if let factory, let port = settings.metricsPort {
            let process = ProcessMetrics(factory: factory)
            Gauge(label: "teams_build_info", dimensions: [("version", BuildInfo.version), ("commit", BuildInfo.commit), ("swift", BuildInfo.swiftVersion)], factory: factory)
                .record(1)
            let stored = Gauge(label: EventMetrics.storedSequence, factory: factory)
            let endpoint: MetricsEndpoint
            do {
                endpoint = try await MetricsEndpoint(
                    host: settings.metricsHost, port: port, maximumConnections: settings.metricsMaxConnections,
                    idleTimeout: settings.metricsIdleTimeout, metrics: factory
                ) { [teamStore] in
                    process.update()
                    if let sequence = try? await teamStore.latestSequence() { stored.record(Double(sequence)) }
                }
            } catch {
                FileHandle.standardError.write(Data("teams-server: cannot serve metrics on \(settings.metricsHost):\(port): \(error)\n".utf8))
                throw ExitCode(3)
            }
            logger.info("metrics at /metrics", metadata: ["address": "\(endpoint.localAddress)"])
            services.append(endpoint)
        }
        let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: logger))
        let stopOnSignal = Task {
            for await signal in stopSignals {
                logger.info("received \(signal): shutting down gracefully")
                await serviceGroup.triggerGracefulShutdown()
                break
            }
        }
        defer { stopOnSignal.cancel() }
        try await serviceGroup.run()
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

/// Re-reads the tokens file on SIGHUP; a file that does not load leaves the callers as they were.
struct TokensReloadService: Service {
    let authenticator: TokenAuthenticator
    let path: String
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let tokens = try TokensFile.load(path)
                authenticator.reload(tokens)
                logger.notice("reloaded the tokens file", metadata: ["path": "\(path)", "callers": "\(tokens.entries.count)"])
            } catch {
                logger.error("the tokens file did not reload; keeping the callers as they were", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Wakes this server's watchers for changes other servers stored, until shutdown.
struct ChangePollerService: Service {
    let poller: ChangePoller
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await poller.run { error in
                guard !Task.isCancelled else { return }
                logger.warning("change poller: store error, retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Numbers the shared table's changes while this server holds the lease, until shutdown.
struct SequencerService: Service {
    let sequencer: FleetSequencer

    func run() async throws {
        await cancelWhenGracefulShutdown { await sequencer.run() }
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

