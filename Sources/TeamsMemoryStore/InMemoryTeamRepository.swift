import Synchronization
import TeamsDomain

/// A `TeamRepository` in process memory: for tests and `--store memory`.
///
/// Everything is lost when the process ends. One lock guards all state; each
/// call holds it for a dictionary lookup or a copy, never across a suspension.
public final class InMemoryTeamRepository: TeamRepository {
    private struct State {
        var teams: [TeamID: Team] = [:]
        var events: [TeamEvent] = []
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
            Self.append(event, to: &state)
        }
    }

    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try state.withLock { state throws(RepositoryError) in
            guard let stored = state.teams[id] else { throw .notFound }
            guard stored.version == expectedVersion else { throw .versionConflict(actual: stored.version) }
            state.teams[id] = nil
            Self.append(event, to: &state)
        }
    }

    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        let matches = state.withLock { state in
            state.teams.values.filter { team in
                (query.after?.precedes(team) ?? true) && (query.term.isEmpty || team.nameKey.contains(query.term))
            }
        }
        let sorted = matches.sorted { ($0.nameKey, $0.id) < ($1.nameKey, $1.id) }
        let page = Array(sorted.prefix(query.limit))
        let next = sorted.count > page.count ? page.last.map { SearchCursor(nameKey: $0.nameKey, id: $0.id) } : nil
        return TeamPage(teams: page, next: next)
    }

    public func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        state.withLock { state in
            // Sequences are 1, 2, 3, ... so the event with sequence s sits at index s - 1.
            let start = Int(min(sequence, UInt64(state.events.count)))
            return Array(state.events[start..<min(state.events.count, start + max(0, limit))])
        }
    }

    private static func append(_ event: TeamEvent, to state: inout State) {
        var stored = event
        stored.sequence = UInt64(state.events.count + 1)
        state.events.append(stored)
    }
}
