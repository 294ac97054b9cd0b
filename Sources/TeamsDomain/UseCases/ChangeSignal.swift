import Synchronization

/// Wakes whoever waits for new events once a change has been stored in this process.
///
/// Changes made by other processes reach it only through a `ChangePoller`.
public final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts up on every `notify`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    public func notify() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether anyone waits now.
    public var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Returns once `generation` has moved past `seen`, or the task is cancelled.
    public func wait(since seen: UInt64) async {
        await waitForNotify(since: seen)
    }

    /// Returns once `generation` has moved past `seen`, `timeout` has passed, or the task is cancelled.
    public func wait(since seen: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForNotify(since: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForNotify(since seen: UInt64) async {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
