/// How a client keeps its connections and retries its calls.
public struct ClientConfiguration: Sendable {
    /// Between attempts to reach an endpoint that cannot be reached.
    public var connectionBackoff = Backoff.connection
    /// How long one connection attempt may take (gRPC's minimum connect timeout).
    public var connectTimeout: Duration = .seconds(20)
    /// Nothing read for `interval` sends a PING; no PONG within `timeout` drops the
    /// connection and reconnects. nil turns keepalive off.
    public var keepalive: (interval: Duration, timeout: Duration)? = (.seconds(30), .seconds(10))
    /// The deadline of a unary call that has none; a stream waits this long for a ready endpoint.
    public var defaultTimeout: Duration = .seconds(30)
    /// Attempts per call, the first included, for calls retried on UNAVAILABLE; 1 turns retries off.
    /// Calls that never ran are retried apart from this, until their deadline.
    public var maximumAttempts = 5
    public var retryBackoff = Backoff.retry
    /// Shared by the calls of one client.
    public var retryThrottle = RetryThrottle()
    /// Names the caller to servers that authenticate: sent once per connection, in an AUTH frame.
    public var authToken: String?
    /// The longest response frame accepted, in bytes after the length prefix (the server's
    /// default request limit); a longer one fails the connection's calls with RESOURCE_EXHAUSTED.
    public var maximumResponseFrameLength = FrameDecoder.defaultMaximumFrameLength

    public init() {}
}

/// What a client has done to keep its calls going.
public struct ClientStatistics: Sendable, Hashable {
    /// Connections made again after one was lost or drained.
    public var reconnects = 0
    /// Calls sent again because they never ran (unsent, or above a GOAWAY's last call id).
    public var transparentRetries = 0
    /// Calls sent again after UNAVAILABLE because they are safe to run twice.
    public var retries = 0
    /// Connections dropped because no PONG came.
    public var keepaliveTimeouts = 0

    public init() {}

    public static func + (left: ClientStatistics, right: ClientStatistics) -> ClientStatistics {
        var sum = left
        sum.reconnects += right.reconnects
        sum.transparentRetries += right.transparentRetries
        sum.retries += right.retries
        sum.keepaliveTimeouts += right.keepaliveTimeouts
        return sum
    }
}
