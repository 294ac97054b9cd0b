import TeamsDomain

/// A store whose events and search index follow its writes asynchronously (DynamoDB's,
/// through the fleet's sequencer), made to look synchronous for the shared contract:
/// every read of the log or the index first waits for `settle` (e.g. the sequencer
/// catching up). Writes and reads by id pass straight through.
public struct SettlingStore: TeamStore {
    let base: any TeamStore
    let settle: @Sendable () async throws -> Void

    public init(_ base: any TeamStore, settle: @escaping @Sendable () async throws -> Void) {
        self.base = base
        self.settle = settle
    }

    private func settled() async throws(RepositoryError) {
        do {
            try await settle()
        } catch let error as RepositoryError {
            throw error
        } catch {
            throw .unavailable("settling failed: \(error)")
        }
    }

    public func team(withID id: TeamID) async throws(RepositoryError) -> Team? { try await base.team(withID: id) }
    public func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?> { base.teamWithoutWaiting(withID: id) }
    public func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        try await base.create(team, event: event, idempotencyKey: idempotencyKey)
    }
    public func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await base.update(team, expectedVersion: expectedVersion, event: event)
    }
    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await base.delete(id, expectedVersion: expectedVersion, event: event)
    }
    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        try await settled()
        return try await base.search(query)
    }
    public func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        try await settled()
        return try await base.events(after: sequence, limit: limit)
    }
    public func latestSequence() async throws(RepositoryError) -> UInt64 {
        try await settled()
        return try await base.latestSequence()
    }
    public func deliveredSequence() async throws(RepositoryError) -> UInt64 { try await base.deliveredSequence() }
    public func markDelivered(through sequence: UInt64) async throws(RepositoryError) { try await base.markDelivered(through: sequence) }
    public func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        try await settled()
        return try await base.prune(before: unixMilliseconds)
    }
}
