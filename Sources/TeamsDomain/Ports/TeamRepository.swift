/// The port to wherever teams are stored: memory, SQLite or DynamoDB.
///
/// Contract (checked for every implementation by `TeamRepositoryContract` in the tests):
/// - Reads see every write that returned before they started.
/// - Each write stores the team and its event together, or neither (a transactional
///   outbox). The event gets the next sequence number, and the store's
///   `EventOutbox.events(after:limit:)` returns it from then on. A store shared by a
///   fleet (DynamoDB) may number events and update its search index after the write
///   returns, from its change feed: then they appear within the feed's delay, each
///   team's events in the order of its versions, with sequences still gapless.
/// - `update` and `delete` succeed only when the stored version equals
///   `expectedVersion`; otherwise they throw `.versionConflict` with the stored
///   version, or `.notFound` when the team is gone. Nothing is written then.
/// - Errors are `RepositoryError`s; an implementation never lets its own error types out.
public protocol TeamRepository: Sendable {
    /// The team with this id, or `nil` when there is none.
    func team(withID id: TeamID) async throws(RepositoryError) -> Team?

    /// What `team(withID:)` would return, when the store can tell from memory without
    /// waiting, so a read can be answered on the caller's thread with no task;
    /// `.mustWait` when only `team(withID:)` can tell. The same contract holds: the
    /// answer reflects every write that returned before the call. The default says `.mustWait`.
    func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?>

    /// Stores a new team (version 1) and its TeamCreated event and returns it.
    ///
    /// With an `idempotencyKey` seen within the last 24 hours, stores nothing and
    /// returns the team the first call created (as it is now, or as created when it
    /// was since deleted). Throws `.alreadyExists` when the id is taken.
    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team

    /// Replaces the team whose stored version is `expectedVersion` with `team`.
    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError)

    /// Deletes the team whose stored version is `expectedVersion`.
    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError)

    /// One page of teams whose `nameKey` contains `query.term`, ordered by
    /// (`nameKey`, `id`) and starting after `query.after`.
    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage
}

extension TeamRepository {
    public func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?> { .mustWait }
}

/// Why a store could not do what was asked.
public enum RepositoryError: Error, Sendable, Hashable {
    /// No team has the id.
    case notFound
    /// The stored team has another version than the write expected.
    case versionConflict(actual: UInt64)
    /// A team with the id exists already.
    case alreadyExists
    /// The store cannot be reached or is busy; the write did not happen.
    case unavailable(String)
    /// The store is full or a limit was reached; the write did not happen.
    case resourceExhausted(String)
    /// The store is not set up for use, e.g. a missing table.
    case misconfigured(String)
    /// The stored data cannot be read: it does not parse, or breaks the store's own
    /// invariants (data loss). The message names the record, e.g. the team id.
    /// Stores throw this instead of trapping on whatever they read back.
    case corrupt(String)
}

/// A store: teams and the outbox of their events, kept in one place so that a
/// change and its event commit together.
public typealias TeamStore = TeamRepository & EventOutbox
