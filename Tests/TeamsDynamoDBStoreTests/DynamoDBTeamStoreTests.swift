import AWSDynamoDB
import Foundation
import Synchronization
import TeamsDomain
import TeamsDynamoDBStore
import TeamsTestSupport
import XCTest

/// The DynamoDB store against a real `moto_server`, one per class; every store gets
/// a table of its own unless a test shares one on purpose.
final class DynamoDBTeamStoreTests: XCTestCase {
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

    private func makeStore(table: String = MotoFixture.freshTableName(), logs: LogRecorder = LogRecorder()) async throws -> DynamoDBTeamStore {
        let store = DynamoDBTeamStore(client: client, tableName: table, logger: logs.logger())
        try await store.prepareTable(create: true)
        return store
    }

    /// Lets the table's sequencer number every change so far and update the index.
    private func settle(_ store: DynamoDBTeamStore) async throws {
        try await store.sequencer(owner: "tests").catchUp()
    }

    private static let ids = TeamIDGenerator(machineID: (9, 9, 9), processID: 9, now: { 1_700_000_000 })

    private static func created(_ name: String, in store: DynamoDBTeamStore, key: String? = nil, players: [Player] = []) async throws -> Team {
        let team = Team(id: Self.ids.next(), name: name, players: players)
        return try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: name), occurredAt: 1), idempotencyKey: key)
    }

    // MARK: The shared contract

    func testTheStoreContract() async throws {
        await TeamStoreContract.run {
            let store = try await self.makeStore()
            return SettlingStore(store) { try await store.sequencer(owner: "tests").catchUp() }
        }
    }

    /// An event missing below the counter (a partial restore, a lost write) does not stall
    /// readers for good: it is reported once, as an error line, and passed over.
    func testAMissingEventIsReportedAndPassedOver() async throws {
        let logs = LogRecorder()
        let store = try await makeStore(logs: logs)
        for name in ["One", "Two", "Three"] { _ = try await Self.created(name, in: store) }
        try await settle(store)
        try await client.deleteItem(DeleteItemInput(tableName: store.tableName, key: ["id": .s("event#00000000000000000002")]))
        for _ in 0..<2 {
            let events = try await store.events(after: 0, limit: 10)
            XCTAssertEqual(events.map(\.sequence), [1, 3])
        }
        let holes = logs.recorded.filter { $0.level == .error && $0.message.contains("event hole") }
        XCTAssertEqual(holes.count, 1, "reported once: \(logs.recorded.map(\.message))")
        XCTAssertTrue(holes.first.map { $0.message.contains("sequence") && $0.message.contains("2") && $0.message.contains("last_sequence") } ?? false, "\(holes)")
    }

    /// Two servers' relays on one table: the lease lets one publish, so every event is
    /// published once; when that one stops, the other takes over within the lease.
    func testOneRelayPerTablePublishesEachEventOnceAndAnotherTakesOver() async throws {
        let table = MotoFixture.freshTableName()
        let stores = [try await makeStore(table: table), try await makeStore(table: table)]
        let publishers = [CountingPublisher(), CountingPublisher()]
        let relays = (0..<2).map { index in
            Task {
                await EventRelay(
                    outbox: stores[index], publisher: publishers[index], changes: ChangeSignal(),
                    lease: stores[index].relayLease(owner: "server-\(index)", duration: .seconds(1)),
                    // The events are dated 1970: keep them from the relay's pruning.
                    retention: .seconds(100 * 365 * 86_400), pollInterval: .milliseconds(50)
                ).run()
            }
        }
        let sequencer = try await stores[0].sequencer(owner: "sequencer")
        let sequencing = Task { await sequencer.run() }
        defer {
            relays.forEach { $0.cancel() }
            sequencing.cancel()
        }
        for index in 0..<10 { _ = try await Self.created("Team \(index)", in: stores[index % 2]) }
        try await eventually { publishers.map(\.sequences.count).reduce(0, +) >= 10 }
        try await Task.sleep(for: .milliseconds(300))
        let published = publishers.flatMap(\.sequences)
        XCTAssertEqual(published.sorted(), Array(1...10), "each event once, by one relay: \(publishers.map(\.sequences))")
        let holder = publishers[0].sequences.isEmpty ? 1 : 0
        XCTAssertEqual(publishers[1 - holder].sequences, [], "the other relay published nothing")

        relays[holder].cancel()
        for index in 10..<13 { _ = try await Self.created("Team \(index)", in: stores[holder]) }
        try await eventually { publishers[1 - holder].sequences.contains(13) }
        XCTAssertEqual(Set(publishers[1 - holder].sequences), [11, 12, 13], "the new holder goes on from the delivered position")
    }

    /// The lease goes to one owner at a time, and to another once it lapses.
    func testTheRelayLeaseIsHeldByOneOwnerUntilItLapses() async throws {
        let store = try await makeStore()
        let first = store.relayLease(owner: "a", duration: .milliseconds(600))
        let second = store.relayLease(owner: "b", duration: .milliseconds(600))
        let takenByFirst = try await first.acquireOrRenew()
        let takenBySecondTooSoon = try await second.acquireOrRenew()
        let renewedByFirst = try await first.acquireOrRenew()
        XCTAssertEqual([takenByFirst, takenBySecondTooSoon, renewedByFirst], [true, false, true])
        try await Task.sleep(for: .milliseconds(800))
        let takenBySecond = try await second.acquireOrRenew()
        let firstLostIt = try await first.acquireOrRenew()
        XCTAssertEqual([takenBySecond, firstLostIt], [true, false])
    }

    /// Polls `condition` for up to 10 s.
    private func eventually(_ condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("not within 10 s", file: file, line: line)
    }

    // MARK: Item layout

    func testATeamIsANativeItem() async throws {
        let store = try await makeStore()
        let team = try await Self.created("Real Madrid", in: store, players: [Player(name: "Iker Casillas", position: .goalkeeper)])
        let item = try await client.getItem(GetItemInput(tableName: store.tableName, key: ["id": .s(team.id.description)], consistentRead: true))
        XCTAssertEqual(item, [
            "id": .s(team.id.description),
            "teamName": "Real Madrid",
            "nameKey": "real madrid",
            "version": 1,
            "players": .l([.m(["name": "Iker Casillas", "position": "GK"])]),
            "lastEventKind": "TeamCreated",
            "lastEventAt": 1,
        ])
    }

    /// The original Go service wrote `players` as a JSON string and had no version.
    func testItemsOfTheGoServiceAreRead() async throws {
        let store = try await makeStore()
        let id = Self.ids.next()
        try await client.putItem(PutItemInput(tableName: store.tableName, item: [
            "id": .s(id.description),
            "teamName": "Real Madrid",
            "players": .s(#"[{"name":"Iker Casillas","position":"GK"},{"Name":"Raúl","Position":"ST"}]"#),
        ]))

        let expected = Team(id: id, name: "Real Madrid", players: [
            Player(name: "Iker Casillas", position: .goalkeeper), Player(name: "Raúl", position: .striker),
        ], version: 1)
        let read = try await store.team(withID: id)
        XCTAssertEqual(read, expected)
        try await settle(store)
        let found = try await store.search(TeamQuery(term: "madrid", limit: 10))
        XCTAssertEqual(found.teams, [expected], "an item without nameKey is still found")
        let none = try await store.search(TeamQuery(term: "barcelona", limit: 10))
        XCTAssertEqual(none.teams, [])

        // Changing it rewrites it in the current layout.
        var renamed = expected
        renamed.name = "Real Madrid CF"
        renamed.version = 2
        try await store.update(renamed, expectedVersion: 1, event: TeamEvent(teamID: id, version: 2, change: .teamRenamed(name: renamed.name), occurredAt: 1))
        let item = try await client.getItem(GetItemInput(tableName: store.tableName, key: ["id": .s(id.description)], consistentRead: true))
        XCTAssertEqual(item?["version"], 2)
        XCTAssertEqual(item?["nameKey"], "real madrid cf")
        XCTAssertEqual(item?["players"]?.listValue?.count, 2, "players are a native list now: \(String(describing: item))")
    }

    // MARK: The table

    func testARestartOnTheExistingTableSaysNothing() async throws {
        let table = MotoFixture.freshTableName()
        let firstLogs = LogRecorder()
        let first = try await makeStore(table: table, logs: firstLogs)
        let team = try await Self.created("Ajax", in: first)

        let secondLogs = LogRecorder()
        let second = try await makeStore(table: table, logs: secondLogs)
        let read = try await second.team(withID: team.id)
        XCTAssertEqual(read, team)
        let complaints = secondLogs.recorded.filter { $0.level >= .warning }
        XCTAssertEqual(complaints.map(\.message), [], "a restart logs no warning or error")
        XCTAssertTrue(firstLogs.recorded.contains { $0.message.contains("created DynamoDB table") })
        XCTAssertEqual(firstLogs.recorded.filter { $0.level >= .warning }.map(\.message), [], "creating the table went smoothly")
        let ttl = try await client.send(operation: "DescribeTimeToLive", body: Array(#"{"TableName":"\#(table)"}"#.utf8))
        let ttlText = String(decoding: ttl, as: UTF8.self)
        XCTAssertTrue(ttlText.contains("ENABLED") && ttlText.contains("expiresAt"), "TTL on expiresAt: \(ttlText)")

        try await settle(second)
        let events = try await second.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.sequence), [1], "the restarted store continues the same outbox")
    }

    func testNoCreateTableOnAMissingTableFailsWithOneLine() async throws {
        let table = MotoFixture.freshTableName("missing")
        do {
            _ = try await DynamoDBTeamStore.open(tableName: table, createTable: false, environment: MotoFixture.environment(endpoint))
            XCTFail("a missing table must stop start-up")
        } catch {
            guard case .tableMissing(table) = error else { return XCTFail("got \(error)") }
            let line = error.description
            XCTAssertTrue(line.contains("DynamoDB table \(table) does not exist"), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
        // Nothing was created on the way.
        do {
            _ = try await client.describeTable(table)
            XCTFail("the table was created")
        } catch DynamoDBError.resourceNotFound {}

        // With the table in place the same call works.
        _ = try await makeStore(table: table)
        let store = try await DynamoDBTeamStore.open(tableName: table, createTable: false, environment: MotoFixture.environment(endpoint))
        let latest = try await store.latestSequence()
        XCTAssertEqual(latest, 0)
        await store.shutdown()
    }

    func testMissingRegionOrCredentialsStopStartUpWithOneLine() async throws {
        var environment = MotoFixture.environment(endpoint)
        environment["AWS_REGION"] = nil
        do {
            _ = try await DynamoDBTeamStore.open(tableName: "Teams", environment: environment)
            XCTFail("no region must stop start-up")
        } catch {
            XCTAssertTrue(error.description.contains("AWS_REGION"), error.description)
            XCTAssertFalse(error.description.contains("\n"))
        }
        environment = MotoFixture.environment(endpoint)
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        environment["HOME"] = "/nonexistent"
        do {
            _ = try await DynamoDBTeamStore.open(tableName: "Teams", environment: environment)
            XCTFail("no credentials must stop start-up")
        } catch {
            XCTAssertTrue(error.description.contains("AWS credentials not found"), error.description)
        }
    }

    func testOperationsOnADeletedTableAreMisconfigured() async throws {
        let store = try await makeStore()
        _ = try await Self.created("Ajax", in: store)
        _ = try await client.send(operation: "DeleteTable", body: Array(#"{"TableName":"\#(store.tableName)"}"#.utf8))
        do {
            _ = try await Self.created("Barça", in: store)
            XCTFail("writing to a missing table must fail")
        } catch {
            XCTAssertEqual(error as? RepositoryError, .misconfigured("table \(store.tableName) does not exist"))
        }
        _ = try await client.send(operation: "DeleteTable", body: Array(#"{"TableName":"\#(store.indexTableName)"}"#.utf8))
        do {
            _ = try await store.search(TeamQuery(term: "", limit: 10))
            XCTFail("searching a missing index table must fail")
        } catch {
            XCTAssertEqual(error, .misconfigured("table \(store.indexTableName) does not exist"))
        }
    }

    // MARK: Many servers on one table

    /// Two stores (two servers) writing at once share one gapless sequence.
    func testTwoStoresOnOneTableShareOneGaplessSequence() async throws {
        let table = MotoFixture.freshTableName()
        let stores = [try await makeStore(table: table), try await makeStore(table: table)]
        let teams = try await withThrowingTaskGroup(of: Team.self) { group in
            for index in 0..<60 {
                group.addTask { try await Self.created("Team \(index)", in: stores[index % 2]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await settle(stores[1])
        for store in stores {
            let events = try await store.events(after: 0, limit: 1000)
            XCTAssertEqual(events.map(\.sequence), Array(1...60), "one sequence, no gaps, no duplicates")
            XCTAssertEqual(Set(events.map(\.teamID)), Set(teams.map(\.id)), "every change has its event")
            let latest = try await store.latestSequence()
            XCTAssertEqual(latest, 60)
        }
    }

    /// The scale-out case in process: two interactors (two servers), each on its own
    /// store, add 100 players to one team at once. Optimistic locking on `version`
    /// loses none of them, and the events follow the versions.
    func testTwoServersAddingPlayersToOneTeamLoseNothing() async throws {
        let table = MotoFixture.freshTableName()
        let servers = [
            TeamInteractor(repository: try await makeStore(table: table), rules: TeamRules(squadLimit: 500)),
            TeamInteractor(repository: try await makeStore(table: table), rules: TeamRules(squadLimit: 500)),
        ]
        let id = try await servers[0].createTeam(name: "Big squad").id.description
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { _ = try await servers[index % 2].addPlayer(teamID: id, name: "Player \(index)", position: .defender) }
            }
            try await group.waitForAll()
        }
        let took = ContinuousClock.now - started
        let team = try await servers[1].team(id: id)
        XCTAssertEqual(team.players.count, 100, "no lost update (took \(took))")
        XCTAssertEqual(team.version, 101)
        try await settle(servers[0].repository as! DynamoDBTeamStore)
        let events = try await (servers[0].repository as! DynamoDBTeamStore).events(after: 0, limit: 200)
        XCTAssertEqual(events.map(\.sequence), Array(1...101))
        XCTAssertEqual(events.map(\.version), Array(1...101))
    }

    /// Concurrent updates of one team through two stores: one wins each version, the
    /// loser sees a version conflict, and the events follow the versions.
    func testConcurrentUpdatesThroughTwoStoresConflictCleanly() async throws {
        let table = MotoFixture.freshTableName()
        let stores = [try await makeStore(table: table), try await makeStore(table: table)]
        let team = try await Self.created("Ajax", in: stores[0])
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    var renamed = team
                    renamed.name = "Ajax \(index)"
                    renamed.version = 2
                    do throws(RepositoryError) {
                        try await store.update(renamed, expectedVersion: 1, event: TeamEvent(teamID: team.id, version: 2, change: .teamRenamed(name: renamed.name), occurredAt: 1))
                        return true
                    } catch {
                        XCTAssertEqual(error, .versionConflict(actual: 2))
                        return false
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { $0 }.count, 1, "exactly one update wins")
        try await settle(stores[1])
        let events = try await stores[1].events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.version), [1, 2])
    }

    func testAnIdempotencyKeyHoldsAcrossStores() async throws {
        let table = MotoFixture.freshTableName()
        let first = try await makeStore(table: table)
        let second = try await makeStore(table: table)
        let original = try await Self.created("Ajax", in: first, key: "create-ajax")
        let retried = try await Self.created("Ajax", in: second, key: "create-ajax")
        XCTAssertEqual(retried, original)
        try await settle(second)
        let all = try await second.search(TeamQuery(term: "", limit: 10))
        XCTAssertEqual(all.teams, [original], "the retry created no second team")

        // A deleted team is answered as it was created.
        try await first.delete(original.id, expectedVersion: 1, event: TeamEvent(teamID: original.id, version: 2, change: .teamDeleted, occurredAt: 1))
        let afterDelete = try await Self.created("Ajax", in: second, key: "create-ajax")
        XCTAssertEqual(afterDelete, original)
    }

    /// The first call recorded its key and died before writing the team: its retry
    /// writes the team the record names, and the change gets its event.
    func testACreateCutOffAfterItsKeyRecordIsCompletedByItsRetry() async throws {
        let store = try await makeStore()
        let id = Self.ids.next()
        try await client.putItem(PutItemInput(tableName: store.tableName, item: [
            "id": "idem#cut-off", "teamId": .s(id.description), "occurredAt": 7, "createdAt": .number(Int64(Date().timeIntervalSince1970 * 1000)),
            "team": .m(["teamName": "Ajax", "players": .l([]), "version": 1]),
        ]))
        let retried = try await Self.created("Ajax", in: store, key: "cut-off")
        XCTAssertEqual(retried, Team(id: id, name: "Ajax"), "the team the record names, not a new one")
        let stored = try await store.team(withID: id)
        XCTAssertEqual(stored, retried, "and it is stored now")
        try await settle(store)
        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.change), [.teamCreated(name: "Ajax")])
        XCTAssertEqual(events.map(\.occurredAt), [7], "dated as the first call")
    }

    func testAnExpiredIdempotencyKeyCreatesAgain() async throws {
        let table = MotoFixture.freshTableName()
        let now = Mutex<Int64>(1_700_000_000_000)
        let store = DynamoDBTeamStore(client: client, tableName: table, clock: WallClock { now.withLock { $0 } })
        try await store.prepareTable(create: true)
        let first = try await Self.created("Ajax", in: store, key: "k")
        now.withLock { $0 += DynamoDBTeamStore.idempotencyWindowMilliseconds + 1 }
        let second = try await Self.created("Ajax", in: store, key: "k")
        XCTAssertNotEqual(second.id, first.id, "after 24 hours the key is new again")
    }

    func testSearchSkipsEventsCountersAndIdempotencyRecords() async throws {
        let store = try await makeStore()
        let team = try await Self.created("Ajax", in: store, key: "some-key")
        try await store.markDelivered(through: 1)
        try await settle(store)
        let all = try await store.search(TeamQuery(term: "", limit: 100))
        XCTAssertEqual(all.teams, [team])
        let byKind = try await store.search(TeamQuery(term: "team", limit: 100))
        XCTAssertEqual(byKind.teams, [], "event items (kind TeamCreated) are not teams")
    }

    func testAnEventBatchLargerThanOneBatchGetIsReadInOrder() async throws {
        let store = try await makeStore()
        for index in 0..<130 { _ = try await Self.created("Team \(index)", in: store) }
        try await settle(store)
        let events = try await store.events(after: 5, limit: 120)
        XCTAssertEqual(events.map(\.sequence), Array(6...125))
        let pruned = try await store.prune(before: 2)
        XCTAssertEqual(pruned, 130, "every event occurred at 1")
        let after = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(after, [])
        _ = try await Self.created("Later", in: store)
        try await settle(store)
        let later = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(later.map(\.sequence), [131], "the oldest kept event follows the pruned ones")
    }
}

/// Records the sequences it is handed.
final class CountingPublisher: EventPublisher {
    private let published = Mutex<[UInt64]>([])
    var sequences: [UInt64] { published.withLock { $0 } }
    func publish(_ events: [TeamEvent]) async { published.withLock { $0.append(contentsOf: events.map(\.sequence)) } }
}

