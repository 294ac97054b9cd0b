/// Per-call settings of a client call.
public struct CallOptions: Sendable {
    /// How long the caller waits; the server stops the work once it passes. `nil` waits forever.
    public var timeout: Duration?
    public var metadata: Metadata

    public init(timeout: Duration? = nil, metadata: Metadata = Metadata()) {
        self.timeout = timeout
        self.metadata = metadata
    }

    var timeoutMilliseconds: UInt32? {
        timeout.map { timeout in
            let (seconds, attoseconds) = timeout.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            return UInt32(clamping: max(1, milliseconds))
        }
    }
}
