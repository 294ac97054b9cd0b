/// Delivers stored events to the `EventPublisher`, in sequence order, at least once.
///
/// It reads the outbox from the last delivered sequence, publishes each event,
/// then records the new position; after a crash between the two, the events since
/// the recorded position are published again. It also prunes events older than
/// `retention`. Run it as a long-lived task; it returns when cancelled.
public struct EventRelay: Sendable {
    public let outbox: any EventOutbox
    public let publisher: any EventPublisher
    public let changes: ChangeSignal
    public var retention: Duration
    public var pollInterval: Duration
    public var batchSize: Int
    private let clock: WallClock

    public static let defaultRetention: Duration = .seconds(7 * 24 * 3600)

    public init(
        outbox: any EventOutbox, publisher: any EventPublisher, changes: ChangeSignal,
        retention: Duration = EventRelay.defaultRetention, pollInterval: Duration = .seconds(1),
        batchSize: Int = 256, clock: WallClock = .system
    ) {
        self.outbox = outbox
        self.publisher = publisher
        self.changes = changes
        self.retention = retention
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.clock = clock
    }

    /// Publishes until cancelled. Store errors are reported to `onError` and retried after `pollInterval`.
    public func run(onError: @Sendable (RepositoryError) -> Void = { _ in }) async {
        var cursor: UInt64?
        var nextPrune = ContinuousClock.now
        while !Task.isCancelled {
            let seen = changes.generation
            do throws(RepositoryError) {
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
                    for event in events { await publisher.publish(event) }
                    try await outbox.markDelivered(through: last.sequence)
                    cursor = last.sequence
                    continue
                }
            } catch {
                onError(error)
            }
            await changes.wait(since: seen, timeout: pollInterval)
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
