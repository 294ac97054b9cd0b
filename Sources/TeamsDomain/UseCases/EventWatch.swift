/// The WatchEvents use case: stored events from a sequence on, then live ones.
///
/// Events arrive in sequence order without gaps. A watcher that reconnects with
/// the sequence after the last one it saw misses nothing. Asking for events that
/// retention already pruned fails with `.outOfRange`, so a gap is never silent.
///
/// A watcher that is up to date reads nothing until `changes` fires: an idle watch
/// costs no CPU. This process's writes fire it; on a store that other processes
/// write too, a `ChangePoller` must fire it for theirs.
public struct EventWatch: Sendable {
    public let outbox: any EventOutbox
    public let changes: ChangeSignal
    public var batchSize: Int

    public init(outbox: any EventOutbox, changes: ChangeSignal, batchSize: Int = 256) {
        self.outbox = outbox
        self.changes = changes
        self.batchSize = batchSize
    }

    /// Calls `deliver` for every event from `sequence` on (0: only events stored
    /// from now on) until `deliver` throws or the task is cancelled.
    /// - Throws: what `deliver` throws; `TeamError.outOfRange` when `sequence` was pruned;
    ///   `TeamError.unavailable` and friends when the store fails.
    public func watch(from sequence: UInt64, deliver: (TeamEvent) async throws -> Void) async throws {
        var cursor: UInt64
        do throws(RepositoryError) {
            cursor = sequence == 0 ? try await outbox.latestSequence() : sequence - 1
        } catch {
            throw TeamInteractor.teamError(error)
        }
        var checkedForGap = sequence == 0
        while !Task.isCancelled {
            let seen = changes.generation
            let events: [TeamEvent]
            do throws(RepositoryError) {
                events = try await outbox.events(after: cursor, limit: batchSize)
            } catch {
                throw TeamInteractor.teamError(error)
            }
            if !checkedForGap, let first = events.first {
                checkedForGap = true
                if first.sequence > cursor + 1 {
                    throw TeamError.outOfRange("events \(cursor + 1) to \(first.sequence - 1) were pruned; the oldest kept is \(first.sequence)")
                }
            }
            for event in events {
                try await deliver(event)
                cursor = event.sequence
            }
            if events.count < batchSize {
                await changes.wait(since: seen)
            }
        }
    }
}
