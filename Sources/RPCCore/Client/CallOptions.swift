/// Per-call settings of a client call.
public struct CallOptions: Sendable {
    /// How long the caller waits; the server stops the work once it passes. `nil` waits forever.
    public var timeout: Duration?
    public var metadata: Metadata
    /// Whether the call may safely run twice, so a client may retry it when its outcome
    /// is unknown; nil takes the method's `idempotency` (e.g. a create that carries an
    /// idempotency key is safe, though CreateTeam in general is not).
    public var isIdempotent: Bool?
    /// gRPC's wait-for-ready. Off (the default), a call fails at once with UNAVAILABLE
    /// when no server can be reached (every endpoint's last connection attempt failed);
    /// on, it waits for a connection up to its deadline, riding through a restart.
    public var waitForReady: Bool

    public init(timeout: Duration? = nil, metadata: Metadata = Metadata(), isIdempotent: Bool? = nil, waitForReady: Bool = false) {
        self.timeout = timeout
        self.metadata = metadata
        self.isIdempotent = isIdempotent
        self.waitForReady = waitForReady
    }

    var timeoutMilliseconds: UInt32? {
        timeout.map { timeout in
            let (seconds, attoseconds) = timeout.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            return UInt32(clamping: max(1, milliseconds))
        }
    }
}
