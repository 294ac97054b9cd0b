/// How often a read-modify-write that lost a race is tried again, and how long to wait.
///
/// Waits follow `backoff`: exponential from `baseDelay` up to `maxDelay`, with full
/// jitter so that writers who collided once do not collide again in lockstep.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var backoff: Backoff

    public static let `default` = RetryPolicy(attempts: 64, baseDelay: .microseconds(200), maxDelay: .milliseconds(20))

    public init(attempts: Int, backoff: Backoff) {
        self.attempts = max(1, attempts)
        self.backoff = backoff
    }

    /// Doubling waits from `baseDelay`, capped at `maxDelay`, fully jittered.
    public init(attempts: Int, baseDelay: Duration, maxDelay: Duration) {
        self.init(attempts: attempts, backoff: Backoff(base: baseDelay, max: maxDelay))
    }

    public var baseDelay: Duration {
        get { backoff.base }
        set { backoff.base = newValue }
    }

    public var maxDelay: Duration {
        get { backoff.max }
        set { backoff.max = newValue }
    }

    /// Sleeps a random time up to `baseDelay * 2^attempt`, capped at `maxDelay`.
    func pause(afterAttempt attempt: Int) async {
        try? await Task.sleep(for: backoff.delay(forAttempt: attempt))
    }
}
