/// The port to the events a store recorded with its changes: the outbox.
///
/// Contract (checked by `TeamRepositoryContract` in the tests):
/// - Sequences start at 1 and grow by one per stored change; a reader never sees
///   a sequence before every smaller one is visible (no gaps, even under load).
/// - `deliveredSequence` survives restarts where the store does, so delivery to
///   publishers resumes where it stopped: at least once, in order.
public protocol EventOutbox: Sendable {
    /// Stored events with a sequence greater than `sequence`, oldest first, at most `limit`.
    func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent]

    /// The greatest sequence stored so far, or 0.
    func latestSequence() async throws(RepositoryError) -> UInt64

    /// The sequence up to which events were handed to the publishers, or 0.
    func deliveredSequence() async throws(RepositoryError) -> UInt64

    /// Records that every event up to `sequence` was published.
    func markDelivered(through sequence: UInt64) async throws(RepositoryError)

    /// Deletes the oldest events, in sequence order, up to the first that occurred at or
    /// after `unixMilliseconds` (and idempotency keys older than their window); returns how
    /// many events went. No event that occurred since is deleted; an older one stored
    /// after it (a clock set back) stays until the events before it go.
    func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int
}
