import Metrics
import NIOCore
import TeamsDomain

/// A store that times each operation into `teams_store_operation_duration_seconds{operation,store}`.
///
/// It wraps the store only when metrics are on, so with them off the interactor
/// calls the store directly and pays nothing.
struct MeasuredTeamStore: TeamStore {
    static let operationDuration = "teams_store_operation_duration_seconds"

    let store: any TeamStore
    // One handle per operation, in stored properties: a call pays no lookup.
    private let getDuration, createDuration, updateDuration, deleteDuration, searchDuration: Timer
    private let eventsDuration, latestSequenceDuration, deliveredSequenceDuration, markDeliveredDuration, pruneDuration: Timer

    /// - Parameter kind: the store's label value, e.g. `sqlite`.
    init(_ store: any TeamStore, kind: String, factory: any MetricsFactory) {
        self.store = store
        func timer(_ operation: String) -> Timer {
            Timer(label: Self.operationDuration, dimensions: [("operation", operation), ("store", kind)], factory: factory)
        }
        (getDuration, createDuration, updateDuration, deleteDuration, searchDuration) = (timer("get"), timer("create"), timer("update"), timer("delete"), timer("search"))
        (eventsDuration, latestSequenceDuration, deliveredSequenceDuration, markDeliveredDuration, pruneDuration) = (
            timer("events"), timer("latest_sequence"), timer("delivered_sequence"), timer("mark_delivered"), timer("prune")
        )
    }

    /// Records the time since `start`; called from `defer`, so failures are timed too.
    private func record(_ timer: Timer, since start: NIODeadline) {
        timer.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
    }

    func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        let start = NIODeadline.now()
        defer { record(getDuration, since: start) }
        return try await store.team(withID: id)
    }

    /// Timed as a get when answered; a `.mustWait` is timed by the `team(withID:)` that follows.
    func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?> {
        let start = NIODeadline.now()
        let read = store.teamWithoutWaiting(withID: id)
        if case .answered = read { record(getDuration, since: start) }
        return read
    }

    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        let start = NIODeadline.now()
        defer { record(createDuration, since: start) }
        return try await store.create(team, event: event, idempotencyKey: idempotencyKey)
    }

    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        let start = NIODeadline.now()
        defer { record(updateDuration, since: start) }
        return try await store.update(team, expectedVersion: expectedVersion, event: event)
    }

    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        let start = NIODeadline.now()
        defer { record(deleteDuration, since: start) }
        return try await store.delete(id, expectedVersion: expectedVersion, event: event)
    }

    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        let start = NIODeadline.now()
        defer { record(searchDuration, since: start) }
        return try await store.search(query)
    }

    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        let start = NIODeadline.now()
        defer { record(eventsDuration, since: start) }
        return try await store.events(after: sequence, limit: limit)
    }

    func latestSequence() async throws(RepositoryError) -> UInt64 {
        let start = NIODeadline.now()
        defer { record(latestSequenceDuration, since: start) }
        return try await store.latestSequence()
    }

    func deliveredSequence() async throws(RepositoryError) -> UInt64 {
        let start = NIODeadline.now()
        defer { record(deliveredSequenceDuration, since: start) }
        return try await store.deliveredSequence()
    }

    func markDelivered(through sequence: UInt64) async throws(RepositoryError) {
        let start = NIODeadline.now()
        defer { record(markDeliveredDuration, since: start) }
        return try await store.markDelivered(through: sequence)
    }

    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        let start = NIODeadline.now()
        defer { record(pruneDuration, since: start) }
        return try await store.prune(before: unixMilliseconds)
    }
}
