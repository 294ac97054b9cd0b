/// Fires a `ChangeSignal` for changes that other processes stored, on a store that
/// several servers share: one poller per server, for all of its watchers.
///
/// It reads the latest sequence every `interval`, but only while someone waits on
/// the signal, so an unwatched server reads nothing. Run it as a long-lived task;
/// it returns when cancelled.
public struct ChangePoller: Sendable {
    public let outbox: any EventOutbox
    public let changes: ChangeSignal
    public var interval: Duration

    public init(outbox: any EventOutbox, changes: ChangeSignal, interval: Duration = .milliseconds(200)) {
        self.outbox = outbox
        self.changes = changes
        self.interval = interval
    }

    /// Polls until cancelled. A store error is reported to `onError` and the poll goes on.
    public func run(onError: @Sendable (RepositoryError) -> Void = { _ in }) async {
        var seen: UInt64?
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            guard changes.hasWaiters else {
                seen = nil
                continue
            }
            do throws(RepositoryError) {
                let latest = try await outbox.latestSequence()
                // After a time unwatched, wake once: a change may have landed since a waiter last read.
                if latest != seen { changes.notify() }
                seen = latest
            } catch {
                onError(error)
            }
        }
    }
}
