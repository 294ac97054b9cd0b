/// The use cases: every way a team can be read or changed.
///
/// Each method validates its input with `TeamRules`, talks to the store only through
/// `TeamRepository`, and reports failure as a `TeamError`. Each change is stored
/// together with its `TeamEvent` (the store's outbox); `changes` is then signalled
/// so that `EventRelay` and `EventWatch` pick the event up at once.
///
/// Changes to an existing team are read-modify-write guarded by the team's
/// version. Writers in this process queue per team first; when a writer elsewhere
/// wins the race the change is retried (up to `retryPolicy.attempts` times) on the
/// fresh team, unless the caller named an `expectedVersion`: then a stale version
/// is the caller's to resolve, and the call fails with `.versionMismatch`.
public struct TeamInteractor: Sendable {
    public let repository: any TeamRepository
    public let changes: ChangeSignal
    public let rules: TeamRules
    public let retryPolicy: RetryPolicy
    private let ids: TeamIDGenerator
    private let clock: WallClock
    private let locks = TeamLocks()

    public static let defaultPageSize = 50
    public static let maxPageSize = 500
    public static let maxIdempotencyKeyLength = 128

    public init(
        repository: any TeamRepository,
        changes: ChangeSignal = ChangeSignal(),
        rules: TeamRules = .default,
        retryPolicy: RetryPolicy = .default,
        ids: TeamIDGenerator = .forThisProcess(),
        clock: WallClock = .system
    ) {
        self.repository = repository
        self.changes = changes
        self.rules = rules
        self.retryPolicy = retryPolicy
        self.ids = ids
        self.clock = clock
    }

    // MARK: Use cases

    public func createTeam(name rawName: String, idempotencyKey: String? = nil) async throws(TeamError) -> Team {
        let name = try rules.teamName(rawName)
        let key = idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        if let key, key.utf8.count > Self.maxIdempotencyKeyLength {
            throw .invalidArgument("idempotency key must be at most \(Self.maxIdempotencyKeyLength) bytes")
        }
        let team = Team(id: ids.next(), name: name)
        let event = TeamEvent(teamID: team.id, version: team.version, change: .teamCreated(name: name), occurredAt: clock.milliseconds())
        let stored = try await store { () async throws(RepositoryError) in
            try await repository.create(team, event: event, idempotencyKey: key)
        }
        if stored.id == team.id { changes.notify() }
        return stored
    }

    public func team(id rawID: String) async throws(TeamError) -> Team {
        let id = try Self.parseID(rawID)
        guard let team = try await store({ () async throws(RepositoryError) in try await repository.team(withID: id) }) else {
            throw Self.noTeam(id)
        }
        return team
    }

    /// `team(id:)` without suspending: the same team or error when the store can
    /// answer from memory (`TeamRepository.teamWithoutWaiting`), nil when it cannot
    /// and the caller must await `team(id:)`.
    public func teamWithoutWaiting(id rawID: String) throws(TeamError) -> Team? {
        try teamWithoutWaiting(id: Self.parseID(rawID))
    }

    /// `teamWithoutWaiting(id:)` for an id already parsed.
    public func teamWithoutWaiting(id: TeamID) throws(TeamError) -> Team? {
        guard case .answered(let found) = repository.teamWithoutWaiting(withID: id) else { return nil }
        guard let team = found else { throw Self.noTeam(id) }
        return team
    }

    private static func noTeam(_ id: TeamID) -> TeamError { .notFound("no team with id \(id)") }

    public func renameTeam(id: String, to rawName: String, expectedVersion: UInt64? = nil) async throws(TeamError) -> Team {
        let name = try rules.teamName(rawName)
        return try await modify(id, expectedVersion: expectedVersion) { team throws(TeamError) in
            team.name = name
            return .teamRenamed(name: name)
        }
    }

    public func deleteTeam(id rawID: String, expectedVersion: UInt64? = nil) async throws(TeamError) {
        let id = try Self.parseID(rawID)
        try await locks.withLock(id) { () throws(TeamError) in try await delete(id, expectedVersion: expectedVersion) }
    }

    private func delete(_ id: TeamID, expectedVersion: UInt64?) async throws(TeamError) {
        for attempt in 0..<retryPolicy.attempts {
            let current = try await existingTeam(id, expectedVersion: expectedVersion)
            let event = TeamEvent(teamID: id, version: current.version + 1, change: .teamDeleted, occurredAt: clock.milliseconds())
            do {
                try await repository.delete(id, expectedVersion: current.version, event: event)
                changes.notify()
                return
            } catch {
                try await handleWriteConflict(error, id: id, expectedVersion: expectedVersion, attempt: attempt)
            }
        }
        throw contention(id)
    }

    public func addPlayer(teamID: String, name rawName: String, position: Position, expectedVersion: UInt64? = nil) async throws(TeamError) -> Team {
        let player = Player(name: try rules.playerName(rawName), position: position)
        return try await modify(teamID, expectedVersion: expectedVersion) { [rules] team throws(TeamError) in
            try rules.checkCanAdd(player, to: team)
            team.players.append(player)
            return .playerAdded(player)
        }
    }

    /// Removes the player whose name (ignoring case) and position both match.
    public func removePlayer(teamID: String, name rawName: String, position: Position, expectedVersion: UInt64? = nil) async throws(TeamError) -> Team {
        let name = try rules.playerName(rawName)
        return try await modify(teamID, expectedVersion: expectedVersion) { team throws(TeamError) in
            guard let index = team.players.firstIndex(where: { $0.position == position && Player.sameName($0.name, name) }) else {
                throw .notFound("team \(team.id) has no \(position.rawValue) named \"\(name)\"")
            }
            let removed = team.players.remove(at: index)
            return .playerRemoved(removed)
        }
    }

    /// Teams whose name contains `term` (ignoring case), ordered by name then id.
    ///
    /// `pageSize` 0 means the default (50); more than 500 is an error. Pass the
    /// returned `nextPageToken` back as `pageToken` for the next page; it is empty
    /// on the last page.
    public func searchTeams(term: String, pageSize: Int = 0, pageToken: String = "") async throws(TeamError) -> (teams: [Team], nextPageToken: String) {
        guard pageSize >= 0, pageSize <= Self.maxPageSize else {
            throw .invalidArgument("page size must be between 1 and \(Self.maxPageSize), got \(pageSize)")
        }
        var after: SearchCursor?
        if !pageToken.isEmpty {
            guard let cursor = SearchCursor(token: pageToken) else {
                throw .invalidArgument("page token \"\(pageToken.prefix(64))\" was not issued by this service")
            }
            after = cursor
        }
        let query = TeamQuery(term: try rules.searchTerm(term).lowercased(), limit: pageSize == 0 ? Self.defaultPageSize : pageSize, after: after)
        let page = try await store { () async throws(RepositoryError) in try await repository.search(query) }
        return (page.teams, page.next?.token ?? "")
    }

    // MARK: Read-modify-write

    private func modify(
        _ rawID: String,
        expectedVersion: UInt64?,
        _ apply: (inout Team) throws(TeamError) -> TeamEvent.Change
    ) async throws(TeamError) -> Team {
        let id = try Self.parseID(rawID)
        return try await locks.withLock(id) { () throws(TeamError) in
            try await modify(id, expectedVersion: expectedVersion, apply)
        }
    }

    private func modify(
        _ id: TeamID,
        expectedVersion: UInt64?,
        _ apply: (inout Team) throws(TeamError) -> TeamEvent.Change
    ) async throws(TeamError) -> Team {
        for attempt in 0..<retryPolicy.attempts {
            var team = try await existingTeam(id, expectedVersion: expectedVersion)
            let previousVersion = team.version
            let change = try apply(&team)
            team.version += 1
            let event = TeamEvent(teamID: id, version: team.version, change: change, occurredAt: clock.milliseconds())
            do {
                try await repository.update(team, expectedVersion: previousVersion, event: event)
                changes.notify()
                return team
            } catch {
                try await handleWriteConflict(error, id: id, expectedVersion: expectedVersion, attempt: attempt)
            }
        }
        throw contention(id)
    }

    private func existingTeam(_ id: TeamID, expectedVersion: UInt64?) async throws(TeamError) -> Team {
        guard let team = try await store({ () async throws(RepositoryError) in try await repository.team(withID: id) }) else {
            throw .notFound("no team with id \(id)")
        }
        if let expectedVersion, expectedVersion != team.version {
            throw .versionMismatch(expected: expectedVersion, actual: team.version)
        }
        return team
    }

    /// Returns when the write lost a race and may be retried; throws otherwise.
    private func handleWriteConflict(_ error: RepositoryError, id: TeamID, expectedVersion: UInt64?, attempt: Int) async throws(TeamError) {
        switch error {
        case .versionConflict(let actual):
            if let expectedVersion { throw .versionMismatch(expected: expectedVersion, actual: actual) }
            await retryPolicy.pause(afterAttempt: attempt)
        case .notFound:
            throw .notFound("no team with id \(id)")
        default:
            throw Self.teamError(error)
        }
    }

    private func contention(_ id: TeamID) -> TeamError {
        .contention("team \(id) changed under \(retryPolicy.attempts) attempts in a row; try again")
    }

    // MARK: Helpers

    static func parseID(_ raw: String) throws(TeamError) -> TeamID {
        guard let id = TeamID(raw) else {
            let problem = TeamID.problem(with: raw) ?? "is not an xid"
            throw .invalidArgument("team id \"\(raw.prefix(64))\" \(problem)")
        }
        return id
    }

    /// Runs a store call, translating its errors.
    private func store<T>(_ body: () async throws(RepositoryError) -> T) async throws(TeamError) -> T {
        do {
            return try await body()
        } catch {
            throw Self.teamError(error)
        }
    }

    static func teamError(_ error: RepositoryError) -> TeamError {
        switch error {
        case .notFound: .notFound("no such team")
        case .versionConflict(let actual): .contention("the team changed concurrently (now version \(actual))")
        case .alreadyExists: .alreadyExists("a team with this id exists already")
        case .unavailable(let reason): .unavailable("store unavailable: \(reason)")
        case .resourceExhausted(let reason): .resourceExhausted("store full: \(reason)")
        case .misconfigured(let reason): .failedPrecondition("store not ready: \(reason)")
        case .corrupt(let reason): .internal("store corrupt: \(reason)")
        }
    }
}
