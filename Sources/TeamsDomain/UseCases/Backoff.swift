/// How long to wait before trying something again: truncated exponential backoff.
///
/// Wait number `attempt` (0 for the first, after the first failure) has the ceiling
/// `min(base × multiplier^attempt, max)`. With `.full` jitter the wait is uniform in
/// `[0, ceiling]`, so that callers who collided once do not collide again in
/// lockstep; with `.none` it is the ceiling.
///
/// A plain value: it neither sleeps nor keeps state, and waits are computed in
/// whole nanoseconds, saturating rather than overflowing for any attempt number.
public struct Backoff: Sendable, Hashable {
    /// How much of the ceiling is left to chance.
    public enum Jitter: Sendable, Hashable {
        /// Wait exactly the ceiling.
        case none
        /// Wait a uniformly random time between zero and the ceiling.
        case full
    }

    /// The first ceiling (attempt 0).
    public var base: Duration
    /// What each further attempt multiplies the ceiling by; 1 or less keeps it at `base`.
    public var multiplier: Int
    /// No ceiling is longer.
    public var max: Duration
    public var jitter: Jitter

    public init(base: Duration, multiplier: Int = 2, max: Duration, jitter: Jitter = .full) {
        self.base = base
        self.multiplier = multiplier
        self.max = max
        self.jitter = jitter
    }

    /// `min(base × multiplier^attempt, max)`; `base` (or `max`, if shorter) for an attempt below 1.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        .nanoseconds(ceilingNanoseconds(forAttempt: attempt))
    }

    /// The wait before the next try, after `attempt` + 1 failed tries.
    ///
    /// - Parameter random: a fraction in `[0, 1]` (clamped; NaN counts as 0), consulted
    ///   only with `.full` jitter. Uniformly random by default; inject a constant in tests.
    public func delay(forAttempt attempt: Int, random: () -> Double = { Double.random(in: 0...1) }) -> Duration {
        let ceiling = ceilingNanoseconds(forAttempt: attempt)
        switch jitter {
        case .none:
            return .nanoseconds(ceiling)
        case .full:
            let drawn = random()
            let fraction = drawn.isNaN ? 0 : Swift.min(Swift.max(drawn, 0), 1)
            let scaled = (Double(ceiling) * fraction).rounded(.down)
            // Double(Int64.max) rounds up to 2^63, which Int64 cannot hold.
            return .nanoseconds(scaled < Double(Int64.max) ? Int64(scaled) : ceiling)
        }
    }

    private func ceilingNanoseconds(forAttempt attempt: Int) -> Int64 {
        let cap = Self.nanoseconds(max)
        var wait = Swift.min(Self.nanoseconds(base), cap)
        var remaining = attempt
        // One multiplication per attempt rather than a power, so that no attempt
        // number overflows; the loop stops at the cap, after at most 63 rounds.
        while remaining > 0, wait > 0, wait < cap, multiplier > 1 {
            let (product, overflow) = wait.multipliedReportingOverflow(by: Int64(multiplier))
            wait = overflow ? cap : Swift.min(product, cap)
            remaining -= 1
        }
        return wait
    }

    /// `duration` in whole nanoseconds, clamped to `0...Int64.max`.
    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return carry ? .max : Swift.max(0, total)
    }
}
