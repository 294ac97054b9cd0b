import Synchronization
import TeamsDomain
import TeamsMemoryStore
import XCTest

final class EventWatchTests: XCTestCase {
    /// An up-to-date watcher reads nothing until a change fires the signal, then reads it at once.
    func testAnIdleWatcherReadsNothingUntilAChange() async throws {
        let store = CountingOutbox(InMemoryTeamRepository())
        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: store.base, changes: changes)
        let delivered = Mutex<[UInt64]>([])
        let watching = Task {
            try await EventWatch(outbox: store, changes: changes).watch(from: 1) { event in delivered.withLock { $0.append(event.sequence) } }
        }
        defer { watching.cancel() }
        try await waitUntil { changes.hasWaiters }
        let readsWhenIdle = store.reads
        try await Task.sleep(for: .seconds(1))
        XCTAssertEqual(store.reads, readsWhenIdle, "no read while nothing changes")

        _ = try await interactor.createTeam(name: "Ajax")
        try await waitUntil { delivered.withLock { $0 } == [1] }
        XCTAssertLessThanOrEqual(store.reads - readsWhenIdle, 2, "one read for the change (and one finding nothing more)")
    }

    /// Changes another process stores reach a watcher through the poller, which reads
    /// only while someone watches.
    func testThePollerWakesWatchersForChangesStoredElsewhere() async throws {
        let store = CountingOutbox(InMemoryTeamRepository())
        let changes = ChangeSignal()
        let poller = Task { await ChangePoller(outbox: store, changes: changes, interval: .milliseconds(20)).run() }
        defer { poller.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(store.latestReads, 0, "no watcher, no poll")

        let delivered = Mutex<[UInt64]>([])
        let watching = Task {
            try await EventWatch(outbox: store, changes: changes).watch(from: 1) { event in delivered.withLock { $0.append(event.sequence) } }
        }
        defer { watching.cancel() }
        try await waitUntil { changes.hasWaiters }
        // Another server's write: stored without this process's signal.
        _ = try await TeamInteractor(repository: store.base, changes: ChangeSignal()).createTeam(name: "Elsewhere")
        try await waitUntil { delivered.withLock { $0 } == [1] }
        XCTAssertGreaterThan(store.latestReads, 0)
    }

    /// While nothing changes the poller reads less and less often, and a change brings it back.
    func testThePollerBacksOffWhileNothingChanges() async throws {
        let store = CountingOutbox(InMemoryTeamRepository())
        let changes = ChangeSignal()
        let poller = Task { await ChangePoller(outbox: store, changes: changes, interval: .milliseconds(20), maximumInterval: .milliseconds(320)).run() }
        defer { poller.cancel() }
        let watching = Task { try await EventWatch(outbox: store, changes: changes).watch(from: 1) { _ in } }
        defer { watching.cancel() }
        try await waitUntil { changes.hasWaiters }
        try await Task.sleep(for: .milliseconds(1_500))
        let idleReads = store.latestReads
        // At a steady 20 ms that would be about 75; backing off 20, 40 … 320 ms, about 9.
        XCTAssertLessThanOrEqual(idleReads, 15, "\(idleReads) reads in 1.5 s of nothing")
        XCTAssertGreaterThanOrEqual(idleReads, 4)
    }

    func testASequenceFromTheFarFutureWaitsAndDoesNotTrap() async throws {
        let store = InMemoryTeamRepository()
        let changes = ChangeSignal()
        let interactor = TeamInteractor(repository: store, changes: changes)
        let farAway: [UInt64] = [.max, (1 << 63) + 1, 1 << 63]
        for from in farAway {
            let delivered = Mutex(0)
            let watching = Task { try await EventWatch(outbox: store, changes: changes).watch(from: from) { _ in delivered.withLock { $0 += 1 } } }
            try await waitUntil { changes.hasWaiters }
            _ = try await interactor.createTeam(name: "Now")
            try await Task.sleep(for: .milliseconds(50))
            XCTAssertEqual(delivered.withLock { $0 }, 0)
            watching.cancel()
        }
    }
}

/// An outbox that counts the reads it is asked for.
final class CountingOutbox: EventOutbox {
    let base: InMemoryTeamRepository
    private let counts = Mutex((events: 0, nonEmpty: 0, latest: 0))

    init(_ base: InMemoryTeamRepository) { self.base = base }

    var reads: Int { counts.withLock { $0.events } }
    var latestReads: Int { counts.withLock { $0.latest } }
    /// Reads that found events.
    var nonEmptyReads: Int { counts.withLock { $0.nonEmpty } }

    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        let events = try await base.events(after: sequence, limit: limit)
        counts.withLock {
            $0.events += 1
            if !events.isEmpty { $0.nonEmpty += 1 }
        }
        return events
    }
    func latestSequence() async throws(RepositoryError) -> UInt64 {
        counts.withLock { $0.latest += 1 }
        return try await base.latestSequence()
    }
    func deliveredSequence() async throws(RepositoryError) -> UInt64 { try await base.deliveredSequence() }
    func markDelivered(through sequence: UInt64) async throws(RepositoryError) { try await base.markDelivered(through: sequence) }
    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int { try await base.prune(before: unixMilliseconds) }
}
