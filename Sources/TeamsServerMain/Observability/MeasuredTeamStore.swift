import Metrics
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

    private func timed<T>(_ timer: Timer, _ body: () async throws(RepositoryError) -> T) async throws(RepositoryError) -> T {
        let started = ContinuousClock.now
        defer { timer.record(duration: ContinuousClock.now - started) }
        return try await body()
    }

    func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        try await timed(getDuration) { () throws(RepositoryError) in try await store.team(withID: id) }
    }

    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        try await timed(createDuration) { () throws(RepositoryError) in try await store.create(team, event: event, idempotencyKey: idempotencyKey) }
    }

    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await timed(updateDuration) { () throws(RepositoryError) in try await store.update(team, expectedVersion: expectedVersion, event: event) }
    }

    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await timed(deleteDuration) { () throws(RepositoryError) in try await store.delete(id, expectedVersion: expectedVersion, event: event) }
    }

    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        try await timed(searchDuration) { () throws(RepositoryError) in try await store.search(query) }
    }

    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        try await timed(eventsDuration) { () throws(RepositoryError) in try await store.events(after: sequence, limit: limit) }
    }

    func latestSequence() async throws(RepositoryError) -> UInt64 {
        try await timed(latestSequenceDuration) { () throws(RepositoryError) in try await store.latestSequence() }
    }

    func deliveredSequence() async throws(RepositoryError) -> UInt64 {
        try await timed(deliveredSequenceDuration) { () throws(RepositoryError) in try await store.deliveredSequence() }
    }

    func markDelivered(through sequence: UInt64) async throws(RepositoryError) {
        try await timed(markDeliveredDuration) { () throws(RepositoryError) in try await store.markDelivered(through: sequence) }
    }

    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        try await timed(pruneDuration) { () throws(RepositoryError) in try await store.prune(before: unixMilliseconds) }
    }
}
