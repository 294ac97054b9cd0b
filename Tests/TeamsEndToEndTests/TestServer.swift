import Logging
import MetricsTestKit
import NIOCore
import NIOPosix
import TeamsClient
import TeamsDomain
import TeamsMemoryStore
import RPCCore
import RPCTransportNIO
import TeamsService

/// A real server on an ephemeral loopback port, in process.
struct TestServer {
    let server: RPCServer
    let interactor: TeamInteractor
    var port: Int { server.localAddress.port! }

    static func start(
        store: any TeamStore = InMemoryTeamRepository(),
        rules: TeamRules = .default,
        maximumFrameLength: UInt32 = FrameDecoder.defaultMaximumFrameLength,
        maximumBufferedOutput: Int = 4 << 20,
        metrics: TestMetrics? = nil
    ) async throws -> TestServer {
        var logger = Logger(label: "test-server")
        logger.logLevel = .warning
        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: store, changes: changes, rules: rules)
        let watch = EventWatch(outbox: store, changes: changes)
        let table = TeamServiceMethods.table(interactor: interactor, storeDescription: "memory", events: watch)
        let server = try await RPCServer(
            configuration: .init(host: "127.0.0.1", port: 0, maximumFrameLength: maximumFrameLength, maximumBufferedOutput: maximumBufferedOutput),
            table: table, logger: logger, metrics: metrics.map { ServerMetrics(table: table, factory: $0) })
        return TestServer(server: server, interactor: interactor)
    }

    func client(timeout: Duration? = .seconds(10)) async throws -> TeamsClient {
        try await TeamsClient.connect(host: "127.0.0.1", port: port, options: CallOptions(timeout: timeout))
    }

    func stop() async {
        await server.shutdownGracefully()
    }
}

/// A store that waits before each read, for deadline and shutdown tests.
final class SlowRepository: TeamStore {
    let base = InMemoryTeamRepository()
    let delay: Duration

    init(delay: Duration) { self.delay = delay }

    func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        do { try await Task.sleep(for: delay) } catch { throw .unavailable("cancelled while waiting") }
        return try await base.team(withID: id)
    }
    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        try await base.create(team, event: event, idempotencyKey: idempotencyKey)
    }
    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await base.update(team, expectedVersion: expectedVersion, event: event)
    }
    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await base.delete(id, expectedVersion: expectedVersion, event: event)
    }
    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage { try await base.search(query) }
    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] { try await base.events(after: sequence, limit: limit) }
    func latestSequence() async throws(RepositoryError) -> UInt64 { try await base.latestSequence() }
    func deliveredSequence() async throws(RepositoryError) -> UInt64 { try await base.deliveredSequence() }
    func markDelivered(through sequence: UInt64) async throws(RepositoryError) { try await base.markDelivered(through: sequence) }
    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int { try await base.prune(before: unixMilliseconds) }
}

/// A store that cannot be reached.
struct DownRepository: TeamStore {
    func team(withID id: TeamID) async throws(RepositoryError) -> Team? { throw .unavailable("connection refused") }
    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team { throw .resourceExhausted("disk full") }
    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) { throw .unavailable("connection refused") }
    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) { throw .unavailable("connection refused") }
    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage { throw .misconfigured("table Teams does not exist") }
    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] { throw .unavailable("connection refused") }
    func latestSequence() async throws(RepositoryError) -> UInt64 { throw .unavailable("connection refused") }
    func deliveredSequence() async throws(RepositoryError) -> UInt64 { 0 }
    func markDelivered(through sequence: UInt64) async throws(RepositoryError) {}
    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int { 0 }
}
