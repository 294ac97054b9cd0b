/// Fires a `ChangeSignal` for changes that other processes stored, on a store that
/// several servers share: one poller per server, for all of its watchers.
///
/// It reads the latest sequence only while someone waits on the signal, so an
/// unwatched server reads nothing: every `interval` after a change, then, while
/// nothing changes, twice as long each time up to `maximumInterval`, so an idle
/// fleet's watchers cost the hot item little. Run it as a long-lived task; it
/// returns when cancelled.
public struct ChangePoller: Sendable {
    public let outbox: any EventOutbox
    public let changes: ChangeSignal
    public var interval: Duration
    public var maximumInterval: Duration

    public init(outbox: any EventOutbox, changes: ChangeSignal, interval: Duration = .milliseconds(200), maximumInterval: Duration = .seconds(2)) {
        self.outbox = outbox
        self.changes = changes
        self.interval = interval
        self.maximumInterval = max(interval, maximumInterval)
    }

    /// Polls until cancelled. A store error is reported to `onError` and the poll goes on.
    public func run(onError: @Sendable (RepositoryError) -> Void = { _ in }) async {
        var seen: UInt64?
        var wait = interval
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: wait)
            } catch {
                return
            }
            guard changes.hasWaiters else {
                seen = nil
                wait = interval
                continue
            }
            do throws(RepositoryError) {
                let latest = try await outbox.latestSequence()
                // After a time unwatched, wake once: a change may have landed since a waiter last read.
                if latest != seen {
                    changes.notify()
                    wait = interval
                } else {
                    wait = min(wait * 2, maximumInterval)
                }
                seen = latest
            } catch {
                onError(error)
            }
        }
    }
}
