/// How often a read-modify-write that lost a race is tried again, and how long to wait.
///
/// Waits grow exponentially from `baseDelay` up to `maxDelay`, with full jitter so
/// that writers who collided once do not collide again in lockstep.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public static let `default` = RetryPolicy(attempts: 64, baseDelay: .microseconds(200), maxDelay: .milliseconds(20))

    public init(attempts: Int, baseDelay: Duration, maxDelay: Duration) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Sleeps a random time up to `baseDelay * 2^attempt`, capped at `maxDelay`.
    func pause(afterAttempt attempt: Int) async {
        let ceiling = min(maxDelay, baseDelay * (1 << min(attempt, 20)))
        let (seconds, attoseconds) = ceiling.components
        let nanoseconds = max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        try? await Task.sleep(for: .nanoseconds(Int64.random(in: 0...nanoseconds)))
    }
}
