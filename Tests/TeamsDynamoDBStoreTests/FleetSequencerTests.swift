import AWSDynamoDB
import Foundation
import TeamsDomain
@testable import TeamsDynamoDBStore
import TeamsTestSupport
import XCTest

/// The fleet's sequencer over a fake feed with several shards (moto's stream has one),
/// writing its log into a moto table.
final class FleetSequencerTests: XCTestCase {
    static let moto = SharedMoto()
    private var client: DynamoDBClient!

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        client = MotoFixture.client(try Self.moto.server().endpoint)
    }

    override func tearDown() async throws {
        try await client?.shutdown()
        client = nil
    }

    private func makeStore() async throws -> DynamoDBTeamStore {
        let store = DynamoDBTeamStore(client: client, tableName: MotoFixture.freshTableName())
        try await store.prepareTable(create: true)
        return store
    }

    private static let ids = TeamIDGenerator(machineID: (7, 7, 7), processID: 7, now: { 1_700_000_000 })

    /// A team's successive item images, as its writes would leave them.
    private struct History {
        let id = FleetSequencerTests.ids.next()
        var images: [[String: AttributeValue]] = []

        mutating func write(_ version: UInt64, name: String) -> (old: [String: AttributeValue]?, new: [String: AttributeValue]) {
            let team = Team(id: id, name: name, players: [], version: version)
            let change: TeamEvent.Change = version == 1 ? .teamCreated(name: name) : .teamRenamed(name: name)
            let image = TeamItem.item(team, event: TeamEvent(teamID: id, version: version, change: change, occurredAt: Int64(version)))
            defer { images.append(image) }
            return (images.last, image)
        }
    }

    private func record(_ feed: FakeChangeFeed, _ shard: String, _ history: inout History, version: UInt64, name: String) {
        let write = history.write(version, name: name)
        feed.append(to: shard, id: history.id.description, old: write.old, new: write.new)
    }

    /// Shards listed children first, read one record at a time: each team's changes keep
    /// their order across the split, every change is numbered once, and the log is gapless.
    func testLineageOrderAndGaplessSequencesAcrossShardsAndASplit() async throws {
        let store = try await makeStore()
        let feed = FakeChangeFeed(pageSize: 1)
        var a = History(), b = History(), c = History()
        feed.open("parent")
        feed.open("other")
        record(feed, "parent", &a, version: 1, name: "Ajax")
        record(feed, "parent", &b, version: 1, name: "Benfica")
        record(feed, "other", &c, version: 1, name: "Celtic")
        feed.split("parent", into: ["left", "right"])
        record(feed, "left", &a, version: 2, name: "Ajax II")
        record(feed, "right", &b, version: 2, name: "Benfica II")
        record(feed, "left", &a, version: 3, name: "Ajax III")
        record(feed, "other", &c, version: 2, name: "Celtic II")
        feed.list(inOrder: ["left", "right", "other", "parent"])

        let sequencer = FleetSequencer(store: store, feed: feed, owner: "one")
        try await sequencer.catchUp()

        let events = try await store.events(after: 0, limit: 100)
        XCTAssertEqual(events.map(\.sequence), Array(1...7), "gapless, each change once")
        for history in [a, b, c] {
            let versions = events.filter { $0.teamID == history.id }.map(\.version)
            XCTAssertEqual(versions, Array(1...UInt64(history.images.count)), "team \(history.id) in version order")
        }
        let latest = try await store.latestSequence()
        XCTAssertEqual(latest, 7)

        // The index follows the renames: each team is listed under its last name only.
        for history in [a, b, c] { try await client.putItem(PutItemInput(tableName: store.tableName, item: history.images.last!)) }
        let found = try await store.search(TeamQuery(term: "ii", limit: 10))
        XCTAssertEqual(found.teams.map(\.name), ["Ajax III", "Benfica II", "Celtic II"])
        func entries(of key: String) async throws -> [[String: AttributeValue]] {
            var found: [[String: AttributeValue]] = []
            for list in NameIndex.lists(of: key) {
                found += try await client.query(QueryInput(
                    tableName: store.indexTableName, keyConditionExpression: "ixList = :list AND ixOrder = :order",
                    expressionAttributeValues: [":list": .s(list), ":order": .s(NameIndex.order(nameKey: key, id: a.id))],
                    consistentRead: true)).items
            }
            return found
        }
        let first = try await entries(of: "ajax")
        let second = try await entries(of: "ajax ii")
        XCTAssertEqual(first.count + second.count, 0, "nothing is left of Ajax's earlier names")
        let last = try await entries(of: "ajax iii")
        XCTAssertEqual(last.count, NameIndex.lists(of: "ajax iii").count, "listed in each list of its last name")
        let head = try await EventLog(client: client, table: store.tableName).readHead()
        XCTAssertEqual(head.checkpoints["parent"], EventLogHead.ended, "the parent was read to its end")

        // Later records continue the sequence; nothing is numbered twice.
        record(feed, "right", &b, version: 3, name: "Benfica III")
        try await sequencer.catchUp()
        let more = try await store.events(after: 7, limit: 10)
        XCTAssertEqual(more.map(\.sequence), [8])
        XCTAssertEqual(more.first?.teamID, b.id)
    }

    /// When the holder stops renewing, another server takes the lease once it lapses and
    /// goes on from the head: no change is lost or numbered twice.
    func testAnotherServerTakesOverFromTheHead() async throws {
        let store = try await makeStore()
        let feed = FakeChangeFeed(pageSize: 10)
        feed.open("shard")
        var teams = (0..<4).map { _ in History() }
        for index in 0..<2 { record(feed, "shard", &teams[index], version: 1, name: "Team \(index)") }

        let first = FleetSequencer(store: store, feed: feed, owner: "first", leaseDuration: .milliseconds(400))
        try await first.catchUp()
        for index in 2..<4 { record(feed, "shard", &teams[index], version: 1, name: "Team \(index)") }

        let second = FleetSequencer(store: store, feed: feed, owner: "second", leaseDuration: .milliseconds(400))
        do {
            try await second.catchUp()
            XCTFail("the lease is held")
        } catch {
            XCTAssertEqual(error, .unavailable("another server holds the sequencer lease of table \(store.tableName)"))
        }
        try await Task.sleep(for: .milliseconds(600))
        try await second.catchUp()
        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.sequence), [1, 2, 3, 4])
        XCTAssertEqual(events.map(\.teamID), teams.map(\.id))

        // The first, back from its pause, finds the lease gone and writes nothing.
        try await Task.sleep(for: .milliseconds(200))
        do {
            try await first.catchUp()
            XCTFail("the first lost the lease")
        } catch {}
        let holder = await first.isHolder
        XCTAssertFalse(holder)
    }

    /// A holder that lost the lease without noticing cannot change the log: the new
    /// holder's epoch in the head refuses its writes at and below the head.
    func testADeposedEpochCannotWriteTheLog() async throws {
        let store = try await makeStore()
        let log = EventLog(client: client, table: store.tableName)
        let event = TeamEvent(teamID: Self.ids.next(), version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 1)

        let outcome1 = try await log.fence(epoch: 1)
        XCTAssertEqual(outcome1, .written)
        let start = try await log.readHead()
        let outcome2 = try await log.append([event], after: 0, epoch: 1)
        XCTAssertEqual(outcome2, .written)
        var next = start
        next.sequence = 1
        let outcome3 = try await log.advance(from: start, to: next, epoch: 1)
        XCTAssertEqual(outcome3, .written)

        let outcome4 = try await log.fence(epoch: 2)
        XCTAssertEqual(outcome4, .written, "a new holder fences")
        let outcome5 = try await log.fence(epoch: 1)
        XCTAssertEqual(outcome5, .refused, "an older epoch cannot fence again")
        let outcome6 = try await log.append([event], after: 0, epoch: 1)
        XCTAssertEqual(outcome6, .refused, "nor overwrite an event")
        var stale = next
        stale.sequence = 2
        let outcome7 = try await log.advance(from: next, to: stale, epoch: 1)
        XCTAssertEqual(outcome7, .refused, "nor move the head")
        let outcome8 = try await log.append([event], after: 1, epoch: 2)
        XCTAssertEqual(outcome8, .written, "the new holder writes above the head")
        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.sequence), [1])
    }
}
