import AWSDynamoDB
import Foundation
import TeamsDomain
@testable import TeamsDynamoDBStore
import TeamsTestSupport
import XCTest

/// A table written by the earlier layout (a `meta#sequence` counter advanced in each
/// change's transaction, no stream, no index), and by the original Go service, comes
/// up on this version: the stream and index are added, the sequence goes on, and the
/// old teams are found by search.
final class DynamoDBUpgradeTests: XCTestCase {
    static let moto = SharedMoto()
    private var client: DynamoDBClient!
    private var endpoint: URL!

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        endpoint = try Self.moto.server().endpoint
        client = MotoFixture.client(endpoint)
    }

    override func tearDown() async throws {
        try await client?.shutdown()
        client = nil
    }

    private static let ids = TeamIDGenerator(machineID: (5, 5, 5), processID: 5, now: { 1_700_000_000 })

    /// A table as the earlier version left it: two teams (one of the Go service), their
    /// three events, and the counter at 3.
    private func oldTable() async throws -> (table: String, ajax: TeamID, goTeam: TeamID) {
        let table = MotoFixture.freshTableName("old")
        try await client.createTable(CreateTableInput(tableName: table, hashKey: KeyAttribute("id", .string)))
        try await client.waitUntilTableActive(table, pollInterval: .milliseconds(100))
        let ajax = Self.ids.next()
        let goTeam = Self.ids.next()
        let items: [[String: AttributeValue]] = [
            ["id": .s(ajax.description), "teamName": "Ajax", "nameKey": "ajax", "version": 2,
             "players": .l([.m(["name": "Edwin", "position": "GK"])])],
            ["id": .s(goTeam.description), "teamName": "Real Madrid", "players": .s(#"[{"name":"Raúl","position":"ST"}]"#)],
            EventItem.item(TeamEvent(teamID: ajax, version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 1), sequence: 1),
            EventItem.item(TeamEvent(teamID: ajax, version: 2, change: .playerAdded(Player(name: "Edwin", position: .goalkeeper)), occurredAt: 2), sequence: 2),
            EventItem.item(TeamEvent(teamID: ajax, version: 3, change: .teamRenamed(name: "Ajax"), occurredAt: 3), sequence: 3),
            ["id": "meta#sequence", "seq": 3],
        ]
        for item in items { try await client.putItem(PutItemInput(tableName: table, item: item)) }
        return (table, ajax, goTeam)
    }

    func testAnOldTableGetsItsStreamAndIndexAndContinuesItsSequence() async throws {
        let (table, ajax, goTeam) = try await oldTable()
        let logs = LogRecorder()
        let store = DynamoDBTeamStore(client: client, tableName: table, logger: logs.logger())
        try await store.prepareTable(create: true)
        let description = try await client.describeTable(table)
        XCTAssertEqual(description.streamViewType, .newAndOldImages)
        let index = try await client.describeTable(store.indexTableName)
        XCTAssertEqual(index.tableStatus, .active, "the index table was created")
        XCTAssertTrue(logs.recorded.contains { $0.message.contains("adding its stream") }, "\(logs.recorded.map(\.message))")

        let created = Team(id: Self.ids.next(), name: "Benfica")
        _ = try await store.create(created, event: TeamEvent(teamID: created.id, version: 1, change: .teamCreated(name: "Benfica"), occurredAt: 4), idempotencyKey: nil)
        let renamed = Team(id: goTeam, name: "Real Madrid CF", players: [Player(name: "Raúl", position: .striker)], version: 2)
        try await store.update(renamed, expectedVersion: 1, event: TeamEvent(teamID: goTeam, version: 2, change: .teamRenamed(name: renamed.name), occurredAt: 5))
        try await store.sequencer(owner: "tests").catchUp()

        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.sequence), [1, 2, 3, 4, 5], "the old events, then the new ones")
        XCTAssertEqual(events.suffix(2).map(\.teamID), [created.id, goTeam])
        let all = try await store.search(TeamQuery(term: "", limit: 10))
        XCTAssertEqual(all.teams.map(\.name), ["Ajax", "Benfica", "Real Madrid CF"], "the old teams were listed once (backfill)")
        let old = try await store.search(TeamQuery(term: "jax", limit: 10))
        XCTAssertEqual(old.teams.map(\.id), [ajax])
        let goFound = try await store.search(TeamQuery(term: "madrid cf", limit: 10))
        XCTAssertEqual(goFound.teams.map(\.id), [goTeam], "the Go team is found under its new name")
        let goOldName = try await store.search(TeamQuery(term: "madrid", limit: 10))
        XCTAssertEqual(goOldName.teams.map(\.name), ["Real Madrid CF"], "and no longer under the old one alone")
    }

    func testWithoutCreateTableAnOldTableStopsStartUpNamingWhatIsMissing() async throws {
        let (table, _, _) = try await oldTable()
        do {
            _ = try await DynamoDBTeamStore.open(tableName: table, createTable: false, environment: MotoFixture.environment(endpoint))
            XCTFail("an incomplete table must stop start-up")
        } catch {
            guard case .tableIncomplete(table, let missing) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(missing.count, 2, "\(missing)")
            let line = error.description
            XCTAssertTrue(line.contains("NEW_AND_OLD_IMAGES") && line.contains("index table \(table)-names"), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
        let unchanged = try await client.describeTable(table)
        XCTAssertNil(unchanged.streamViewType, "nothing was changed")
    }
}
