import Synchronization
import TeamsDomain
import TeamsMemoryStore
import XCTest

final class EventRelayTests: XCTestCase {
    func testPublishesStoredEventsInOrderAndRecordsTheCursor() async throws {
        let store = InMemoryTeamRepository()
        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: store, changes: changes)
        let publisher = RecordingPublisher()
        let relay = EventRelay(outbox: store, publisher: publisher, changes: changes, pollInterval: .seconds(30))
        let running = Task { await relay.run() }
        defer { running.cancel() }

        let id = try await interactor.createTeam(name: "Ajax").id.description
        _ = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        try await interactor.deleteTeam(id: id)

        // The relay wakes on the change signal, long before its 30 s poll.
        try await waitUntil { publisher.events.count == 3 }
        XCTAssertEqual(publisher.events.map(\.sequence), [1, 2, 3])
        XCTAssertEqual(publisher.events.map(\.name), ["TeamCreated", "PlayerAdded", "TeamDeleted"])
        try await waitUntil { (try? await store.deliveredSequence()) == 3 }
    }

    func testResumesAfterTheDeliveredSequence() async throws {
        let store = InMemoryTeamRepository()
        let interactor = TeamInteractor(repository: store)
        for name in ["A", "B", "C"] { _ = try await interactor.createTeam(name: name) }
        try await store.markDelivered(through: 2)

        let publisher = RecordingPublisher()
        let running = Task { await EventRelay(outbox: store, publisher: publisher, changes: ChangeSignal(), pollInterval: .milliseconds(10)).run() }
        defer { running.cancel() }
        try await waitUntil { publisher.events.count == 1 }
        XCTAssertEqual(publisher.events.map(\.change), [.teamCreated(name: "C")])
    }

    /// Without the lease a relay publishes nothing; once it holds it, it goes on from
    /// the delivered position.
    func testOnlyTheLeaseHolderPublishes() async throws {
        let store = InMemoryTeamRepository()
        let interactor = TeamInteractor(repository: store)
        for name in ["A", "B", "C"] { _ = try await interactor.createTeam(name: name) }
        try await store.markDelivered(through: 1)
        let lease = SwitchedLease()
        let publisher = RecordingPublisher()
        let running = Task { await EventRelay(outbox: store, publisher: publisher, changes: ChangeSignal(), lease: lease, pollInterval: .milliseconds(10)).run() }
        defer { running.cancel() }
        try await waitUntil { lease.attempts >= 3 }
        XCTAssertEqual(publisher.events.count, 0, "not the holder: nothing published")
        lease.held.withLock { $0 = true }
        try await waitUntil { publisher.events.count == 2 }
        XCTAssertEqual(publisher.events.map(\.sequence), [2, 3])
    }

    /// Changes made while the relay gathers are read in one batch, not one read each.
    func testChangesWithinTheGatherIntervalAreReadAsOneBatch() async throws {
        let store = InMemoryTeamRepository()
        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: store, changes: changes)
        let outbox = CountingOutbox(store)
        let publisher = RecordingPublisher()
        let relay = EventRelay(outbox: outbox, publisher: publisher, changes: changes, pollInterval: .seconds(30), gatherInterval: .seconds(1))
        let running = Task { await relay.run() }
        defer { running.cancel() }
        try await waitUntil { outbox.reads >= 1 }  // caught up, waiting for a change

        // Each change wakes a relay that does not gather: ten of them, 10 ms apart.
        for name in (1...10).map({ "Team \($0)" }) {
            _ = try await interactor.createTeam(name: name)
            try await Task.sleep(for: .milliseconds(10))
        }
        try await waitUntil { publisher.events.count == 10 }
        XCTAssertEqual(publisher.events.map(\.sequence), Array(1...10))
        XCTAssertLessThanOrEqual(outbox.nonEmptyReads, 2, "the changes of one gather interval are read together")
    }

    func testPrunesEventsOlderThanTheRetention() async throws {
        let store = InMemoryTeamRepository()
        let old = TeamEvent(teamID: TeamID("9m4e2mr0ui3e8a215n4g")!, version: 1, change: .teamCreated(name: "Old"), occurredAt: 1_000)
        _ = try await store.create(Team(id: old.teamID, name: "Old"), event: old, idempotencyKey: nil)
        let running = Task { await EventRelay(outbox: store, publisher: RecordingPublisher(), changes: ChangeSignal(), retention: .seconds(60)).run() }
        defer { running.cancel() }
        try await waitUntil { (try? await store.events(after: 0, limit: 10))?.isEmpty == true }
        let latest = try await store.latestSequence()
        XCTAssertEqual(latest, 1, "pruning keeps the sequence counter")
    }
}

/// A lease the test hands over; tried every 30 ms.
final class SwitchedLease: RelayLease {
    let held = Mutex(false)
    private let tries = Mutex(0)
    var attempts: Int { tries.withLock { $0 } }
    var duration: Duration { .milliseconds(90) }

    func acquireOrRenew() async throws(RepositoryError) -> Bool {
        tries.withLock { $0 += 1 }
        return held.withLock { $0 }
    }
}

/// Polls `condition` for up to 5 seconds.
func waitUntil(_ condition: () async -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
    let deadline = ContinuousClock.now + .seconds(5)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    XCTFail("condition not met within 5 s", file: file, line: line)
}
