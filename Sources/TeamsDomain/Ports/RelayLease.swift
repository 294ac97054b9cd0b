/// Which one of several servers sharing a store publishes its outbox: the holder of
/// the lease. Without one every server's `EventRelay` would publish every event.
///
/// Contract: at most one process holds the lease at a time, as far as the store's
/// clock can tell; a holder that stops renewing loses it after `duration`, and
/// another process may then take it. Across a takeover events may be published
/// twice (from the last recorded delivery position on): at least once, in order.
public protocol RelayLease: Sendable {
    /// How long the lease stays held without a renewal.
    var duration: Duration { get }

    /// Takes the lease when it is free or expired, or renews it when this process
    /// holds it; returns whether this process holds it now.
    func acquireOrRenew() async throws(RepositoryError) -> Bool
}
