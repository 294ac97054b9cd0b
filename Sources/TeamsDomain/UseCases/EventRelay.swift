/// Delivers stored events to the `EventPublisher`, in sequence order, at least once.
///
/// It reads the outbox from the last delivered sequence, publishes each event,
/// then records the new position (at most every `checkpointInterval`, so a busy
/// store is not written twice per change); after a crash, the events since the
/// recorded position are published again. It also prunes events older than
/// `retention`. Run it as a long-lived task; it returns when cancelled.
///
/// Once caught up, a change wakes it, and it then waits `gatherInterval` before reading,
/// so that the changes of that time are read and published as one batch: a busy store
/// wakes it about once per interval rather than once per commit.
///
/// With a `lease` (a store that several servers share), only the process holding it
/// publishes and prunes, so each event is published once per fleet; the others wait,
/// trying to take it every third of its duration.
public struct EventRelay: Sendable {
    public let outbox: any EventOutbox
    public let publisher: any EventPublisher
    public let changes: ChangeSignal
    public let lease: (any RelayLease)?
    public var retention: Duration
    public var pollInterval: Duration
    public var batchSize: Int
    public var checkpointInterval: Duration
    public var gatherInterval: Duration
    private let clock: WallClock

    public static let defaultRetention: Duration = .seconds(7 * 24 * 3600)

    public init(
        outbox: any EventOutbox, publisher: any EventPublisher, changes: ChangeSignal, lease: (any RelayLease)? = nil,
        retention: Duration = EventRelay.defaultRetention, pollInterval: Duration = .seconds(1),
        batchSize: Int = 256, checkpointInterval: Duration = .milliseconds(200), gatherInterval: Duration = .milliseconds(5),
        clock: WallClock = .system
    ) {
        self.outbox = outbox
        self.publisher = publisher
        self.changes = changes
        self.lease = lease
        self.retention = retention
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.checkpointInterval = checkpointInterval
        self.gatherInterval = gatherInterval
        self.clock = clock
    }

    /// Publishes until cancelled. Store errors are reported to `onError` and retried after `pollInterval`.
    public func run(onError: @Sendable (RepositoryError) -> Void = { _ in }) async {
        var cursor: UInt64?
        var recorded: UInt64 = 0
        var nextCheckpoint = ContinuousClock.now
        var nextPrune = ContinuousClock.now
        var leaseRenewal = ContinuousClock.now
        while !Task.isCancelled {
            let seen = changes.generation
            do throws(RepositoryError) {
                if let lease, ContinuousClock.now >= leaseRenewal {
                    let held = try await lease.acquireOrRenew()
                    leaseRenewal = .now + lease.duration / 3
                    guard held else {
                        cursor = nil  // the holder moves the position meanwhile: read it again when this process takes over
                        try? await Task.sleep(until: leaseRenewal, clock: .continuous)
                        continue
                    }
                }
                if ContinuousClock.now >= nextPrune {
                    _ = try await outbox.prune(before: clock.milliseconds() - retention.milliseconds)
                    nextPrune = .now + .seconds(3600)
                }
                let start: UInt64
                if let cursor {
                    start = cursor
                } else {
                    start = try await outbox.deliveredSequence()
                }
                cursor = start
                let events = try await outbox.events(after: start, limit: batchSize)
                if let last = events.last {
                    await publisher.publish(events)
                    cursor = last.sequence
                }
                // Record the position now and then, not after every batch.
                let position = cursor ?? start
                if position > recorded, ContinuousClock.now >= nextCheckpoint {
                    try await outbox.markDelivered(through: position)
                    recorded = position
                    nextCheckpoint = .now + checkpointInterval
                }
                if !events.isEmpty { continue }
            } catch {
                onError(error)
            }
            // With a position still to record, wake in time to record it.
            let unrecorded = (cursor ?? 0) > recorded
            await changes.wait(since: seen, timeout: unrecorded ? min(pollInterval, checkpointInterval) : pollInterval)
            if changes.generation != seen, gatherInterval > .zero { try? await Task.sleep(for: gatherInterval) }
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
