import Synchronization

/// Serialises read-modify-writes of one team within this process.
///
/// Optimistic locking alone stays correct under contention but wastes work:
/// N concurrent writers to one team make N reads and N-1 failed writes per round.
/// Queueing them here first means writers in one process never conflict with
/// each other; the version check still guards against other processes.
final class TeamLocks: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private final class Stripe: Sendable {
        let state = Mutex(State())
    }

    private let stripes: [Stripe]

    init(stripes count: Int = 256) {
        stripes = (0..<count).map { _ in Stripe() }
    }

    /// Runs `body` while holding the lock of `id`'s stripe. Waiters are served in order.
    func withLock<T>(_ id: TeamID, _ body: () async throws(TeamError) -> T) async throws(TeamError) -> T {
        let stripe = stripes[abs(id.hashValue % stripes.count)]
        await acquire(stripe)
        defer { release(stripe) }
        return try await body()
    }

    private func acquire(_ stripe: Stripe) async {
        let acquired = stripe.state.withLock { state in
            if state.locked { return false }
            state.locked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let resumeNow = stripe.state.withLock { state in
                if !state.locked {
                    state.locked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Hands the lock to the next waiter, or frees it.
    private func release(_ stripe: Stripe) {
        let next = stripe.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.locked = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            defer { state.head += 1 }
            return state.waiters[state.head]
        }
        next?.resume()
    }
}
