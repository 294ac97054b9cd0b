/// gRPC's retry throttling: a token bucket that stops retries while too many
/// calls fail, so clients do not multiply the load on a struggling fleet.
///
/// It starts full. A call that ends UNAVAILABLE takes a token, any other outcome
/// adds `tokenRatio`; retries are allowed only while more than half the tokens remain.
public struct RetryThrottle: Sendable, Hashable {
    public let maximumTokens: Double
    public let tokenRatio: Double
    public private(set) var tokens: Double

    public init(maximumTokens: Double = 10, tokenRatio: Double = 0.1) {
        self.maximumTokens = maximumTokens
        self.tokenRatio = tokenRatio
        self.tokens = maximumTokens
    }

    /// Counts a failure; returns whether it may be retried.
    public mutating func recordFailure() -> Bool {
        tokens = max(0, tokens - 1)
        return tokens > maximumTokens / 2
    }

    public mutating func recordSuccess() {
        tokens = min(maximumTokens, tokens + tokenRatio)
    }
}
