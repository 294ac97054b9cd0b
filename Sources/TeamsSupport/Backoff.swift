/// How long to wait before trying something again: truncated exponential backoff.
///
/// Wait number `attempt` (0 for the first, after the first failure) has the ceiling
/// `min(base × multiplier^attempt, max)`. Jitter spreads it, so that callers who
/// failed together (writers that collided, clients that lost the same server) do not
/// come back in lockstep.
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
        /// Wait the ceiling spread by up to ± this fraction of it (gRPC's connection backoff).
        case proportional(Double)
    }

    /// The first ceiling (attempt 0).
    public var base: Duration
    /// What each further attempt multiplies the ceiling by; 1 or less keeps it at `base`.
    public var multiplier: Double
    /// No ceiling is longer.
    public var max: Duration
    public var jitter: Jitter

    public init(base: Duration, multiplier: Double = 2, max: Duration, jitter: Jitter = .full) {
        self.base = base
        self.multiplier = multiplier
        self.max = max
        self.jitter = jitter
    }

    /// gRPC's connection backoff: 1 s, ×1.6, ±20 %, at most 120 s.
    public static let connection = Backoff(base: .seconds(1), multiplier: 1.6, max: .seconds(120), jitter: .proportional(0.2))
    /// Between retries of one call: 50 ms, ×2, ±20 %, at most 2 s.
    public static let retry = Backoff(base: .milliseconds(50), multiplier: 2, max: .seconds(2), jitter: .proportional(0.2))

    /// `min(base × multiplier^attempt, max)`; `base` (or `max`, if shorter) for an attempt below 1.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        .nanoseconds(ceilingNanoseconds(forAttempt: attempt))
    }

    /// The wait before the next try, after `attempt` + 1 failed tries.
    ///
    /// - Parameter random: a fraction in `[0, 1]` (clamped; NaN counts as 0), drawn
    ///   once unless the jitter is `.none`. Uniformly random by default; inject a
    ///   constant in tests. With `.proportional(f)`, 0 gives `(1 − f) × ceiling` and 1
    ///   gives `(1 + f) × ceiling`, so a wait may pass `max` by that fraction.
    public func delay(forAttempt attempt: Int, random: () -> Double = { Double.random(in: 0...1) }) -> Duration {
        let ceiling = ceilingNanoseconds(forAttempt: attempt)
        let factor: Double
        switch jitter {
        case .none:
            return .nanoseconds(ceiling)
        case .full:
            factor = Self.fraction(random())
        case .proportional(let spread):
            factor = Swift.max(0, 1 + spread * (2 * Self.fraction(random()) - 1))
        }
        let scaled = (Double(ceiling) * factor).rounded(.down)
        // Double(Int64.max) rounds up to 2^63, which Int64 cannot hold.
        return .nanoseconds(scaled < Double(Int64.max) ? Int64(scaled) : .max)
    }

    private static func fraction(_ drawn: Double) -> Double {
        drawn.isNaN ? 0 : Swift.min(Swift.max(drawn, 0), 1)
    }

    private func ceilingNanoseconds(forAttempt attempt: Int) -> Int64 {
        let cap = Self.nanoseconds(max)
        let first = Swift.min(Self.nanoseconds(base), cap)
        guard attempt > 0, first > 0, multiplier > 1 else { return first }
        // In Double, by squaring: at most 63 rounds for any attempt, and a product too
        // large for Int64 (or infinite) is simply past the cap.
        var power = 1.0
        var factor = multiplier
        var exponent = attempt
        while exponent > 0, power < Double(cap) {
            if exponent & 1 == 1 { power *= factor }
            factor *= factor
            exponent >>= 1
        }
        let product = (Double(first) * power).rounded(.toNearestOrEven)
        return product >= Double(cap) ? cap : Int64(product)
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
