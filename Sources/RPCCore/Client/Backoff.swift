/// Exponential backoff with jitter: each delay is the previous times `multiplier`,
/// capped at `maximum`, then spread by ±`jitter` (a fraction), so many clients
/// that lost the same server do not come back in step.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var multiplier: Double
    public var jitter: Double
    public var maximum: Duration

    public init(initial: Duration, multiplier: Double, jitter: Double, maximum: Duration) {
        self.initial = initial
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximum = maximum
    }

    /// gRPC's connection backoff: 1 s, ×1.6, ±20 %, at most 120 s.
    public static let connection = Backoff(initial: .seconds(1), multiplier: 1.6, jitter: 0.2, maximum: .seconds(120))
    /// Between retries of one call: 50 ms, ×2, ±20 %, at most 2 s.
    public static let retry = Backoff(initial: .milliseconds(50), multiplier: 2, jitter: 0.2, maximum: .seconds(2))

    /// The delay before attempt `attempt + 1` (0 gives about `initial`).
    public func delay(attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
        let base = min(initial.seconds * pow(multiplier, Double(min(attempt, 64))), maximum.seconds)
        return .nanoseconds(Int64(max(0, base * (1 + jitter * random)) * 1e9))
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<Int(exponent) { result *= base }
    return result
}
