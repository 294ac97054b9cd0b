import AWSDynamoDB
import Foundation
import TeamsDomain
import TeamsDynamoDBStore
import TeamsTestSupport
import XCTest

/// The DynamoDB endpoint goes away mid-run and comes back on the same port.
final class DynamoDBFaultTests: XCTestCase {
    private static let ids = TeamIDGenerator(machineID: (7, 7, 7), processID: 7, now: { 1_700_000_000 })
    private var servers: [MotoServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    private static func create(_ name: String, in store: DynamoDBTeamStore) async throws(RepositoryError) -> Team {
        let team = Team(id: Self.ids.next(), name: name)
        return try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: name), occurredAt: 1), idempotencyKey: nil)
    }

    /// Creates teams one after another until a create fails; returns why.
    private static func createUntilFailure(in store: DynamoDBTeamStore) async -> RepositoryError {
        var index = 0
        while true {
            do throws(RepositoryError) {
                _ = try await create("Load \(index)", in: store)
            } catch {
                return error
            }
            index += 1
        }
    }

    /// Runs `body`, expecting `.unavailable` within `limit`.
    private func expectUnavailable(_ what: String, within limit: Duration = .seconds(5), _ body: () async throws(RepositoryError) -> Void) async {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await body()
            XCTFail("\(what) succeeded with the endpoint down")
        } catch {
            guard case .unavailable = error else { return XCTFail("\(what): expected .unavailable, got \(error)") }
        }
        let took = clock.now - start
        XCTAssertLessThan(took, limit, "\(what) took \(took) to fail")
    }

    func testTheEndpointStopsAndComesBack() async throws {
        let moto: MotoServer
        do { moto = try MotoServer.start(serializeRequests: true) } catch { throw XCTSkip("moto_server did not start: \(error)") }
        servers.append(moto)
        let client = MotoFixture.client(moto.endpoint)
        let table = MotoFixture.freshTableName()
        let store = DynamoDBTeamStore(client: client, tableName: table)
        try await store.prepareTable(create: true)
        let before = try await Self.create("Before", in: store)

        // Writers are busy when the endpoint goes away: they stop with .unavailable, quickly.
        async let failure = Self.createUntilFailure(in: store)
        try await Task.sleep(for: .milliseconds(300))
        let stoppedAt = ContinuousClock.now
        moto.stop()
        let loadError = await failure
        let loadTook = ContinuousClock.now - stoppedAt
        XCTAssertLessThan(loadTook, .seconds(5), "the writers noticed the outage within \(loadTook)")
        guard case .unavailable = loadError else { return XCTFail("the load ended with \(loadError)") }

        await expectUnavailable("get") { () async throws(RepositoryError) in _ = try await store.team(withID: before.id) }
        await expectUnavailable("create") { () async throws(RepositoryError) in _ = try await Self.create("During", in: store) }
        await expectUnavailable("search") { () async throws(RepositoryError) in _ = try await store.search(TeamQuery(term: "", limit: 10)) }
        await expectUnavailable("events") { () async throws(RepositoryError) in _ = try await store.events(after: 0, limit: 10) }

        // The endpoint comes back, empty (moto keeps its state in memory): recreate the
        // table, and the same store object carries on by itself.
        let revived = try MotoServer.start(port: moto.port, serializeRequests: true)
        servers.append(revived)
        try await store.prepareTable(create: true)
        let after = try await Self.create("After", in: store)
        let read = try await store.team(withID: after.id)
        XCTAssertEqual(read, after)
        // A sequencer made now reads the new table's stream from its start.
        try await store.sequencer(owner: "tests").catchUp()
        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.sequence), [1], "the new table's log starts again at 1")
        try await client.shutdown()
    }
}
