import Synchronization
import TeamsDomain
import TeamsSearchIndex

/// A `TeamStore` in process memory: for tests and `--store memory`.
///
/// Everything is lost when the process ends. One lock guards all state; each
/// call holds it for a dictionary lookup or a copy, never across a suspension.
/// A search reads its page from a `SearchIndex`.
public final class InMemoryTeamRepository: TeamStore {
    private struct State {
        var teams: [TeamID: Team] = [:]
        /// Every team's name key, for `search`.
        var index = SearchIndex()
        /// Events with sequences `lastSequence - events.count + 1 ... lastSequence`.
        var events: [TeamEvent] = []
        var lastSequence: UInt64 = 0
        var delivered: UInt64 = 0
        var idempotency: [String: (created: Team, at: Int64)] = [:]
    }

    private let state = Mutex(State())
    private let clock: WallClock
    /// How long an idempotency key is remembered.
    public static let idempotencyWindowMilliseconds: Int64 = 24 * 60 * 60 * 1000

    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    public func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        state.withLock { $0.teams[id] }
    }

    /// Always answered: every team is in memory.
    public func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?> {
        .answered(state.withLock { $0.teams[id] })
    }

    public func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        let now = clock.milliseconds()
        return try state.withLock { state throws(RepositoryError) -> Team in
            if let idempotencyKey, let earlier = state.idempotency[idempotencyKey],
                now - earlier.at < Self.idempotencyWindowMilliseconds
            {
                return state.teams[earlier.created.id] ?? earlier.created
            }
            guard state.teams[team.id] == nil else { throw .alreadyExists }
            state.teams[team.id] = team
            state.index.set(team.id, nameKey: team.nameKey)
            Self.append(event, to: &state)
            if let idempotencyKey { state.idempotency[idempotencyKey] = (team, now) }
            return team
        }
    }

    public func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try state.withLock { state throws(RepositoryError) in
            guard let stored = state.teams[team.id] else { throw .notFound }
            guard stored.version == expectedVersion else { throw .versionConflict(actual: stored.version) }
            state.teams[team.id] = team
            state.index.set(team.id, nameKey: team.nameKey)
            Self.append(event, to: &state)
        }
    }

    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try state.withLock { state throws(RepositoryError) in
            guard let stored = state.teams[id] else { throw .notFound }
            guard stored.version == expectedVersion else { throw .versionConflict(actual: stored.version) }
            state.teams[id] = nil
            state.index.remove(id)
            Self.append(event, to: &state)
        }
    }

    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        // One more than the page tells whether there is a next one.
        let matches = state.withLock { state in
            state.index.ids(matching: query.term, after: query.after, count: max(0, query.limit) + 1).compactMap { state.teams[$0] }
        }
        return TeamPage(cutting: matches, limit: query.limit)
    }

    public func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        state.withLock { state in
            // `sequence` may be any UInt64 a client sent: compare before any arithmetic.
            guard sequence < state.lastSequence else { return [] }
            let first = state.lastSequence - UInt64(state.events.count) + 1
            let start = Int(max(sequence + 1, first) - first)  // below events.count, by the guard
            guard start < state.events.count else { return [] }
            return Array(state.events[start..<min(state.events.count, start + max(0, limit))])
        }
    }

    public func latestSequence() async throws(RepositoryError) -> UInt64 {
        state.withLock { $0.lastSequence }
    }

    public func deliveredSequence() async throws(RepositoryError) -> UInt64 {
        state.withLock { $0.delivered }
    }

    public func markDelivered(through sequence: UInt64) async throws(RepositoryError) {
        state.withLock { $0.delivered = max($0.delivered, sequence) }
    }

    public func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        let now = clock.milliseconds()
        return state.withLock { state in
            let count = state.events.prefix { $0.occurredAt < unixMilliseconds }.count
            state.events.removeFirst(count)
            state.idempotency = state.idempotency.filter { now - $0.value.at < Self.idempotencyWindowMilliseconds }
            return count
        }
    }

    private static func append(_ event: TeamEvent, to state: inout State) {
        var stored = event
        state.lastSequence += 1
        stored.sequence = state.lastSequence
        state.events.append(stored)
    }
}
