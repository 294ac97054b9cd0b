import NIOCore

/// The pace a peer must keep on one connection: frames completed within the
/// frame-read timeout (slowloris), some request or traffic within the idle
/// timeout, and pings no closer together than the minimum interval (gRPC's ping
/// strikes). It keeps the times and says which limit was broken; the connection
/// decides when to look and what to do.
struct ConnectionWatchdog {
    /// A limit the peer broke, and how the connection ends for it.
    enum Violation: Equatable {
        case frameReadTimeout(TimeAmount)
        case idle(TimeAmount)
        case tooManyPings

        var error: RPCError {
            switch self {
            case .frameReadTimeout(let limit): RPCError(.deadlineExceeded, "a frame was not completed within \(limit)")
            case .idle(let limit): RPCError(.unavailable, "idle for \(limit)")
            case .tooManyPings: RPCError(.resourceExhausted, "too many pings")
            }
        }

        /// For the log line.
        var reason: String {
            switch self {
            case .frameReadTimeout: "frame read timeout"
            case .idle: "idle"
            case .tooManyPings: "too many pings"
            }
        }

        /// How metrics count it: only a stalled frame is the peer's fault.
        var rejection: ServerMetrics.ConnectionRejection? {
            if case .frameReadTimeout = self { return .badStream }
            return nil
        }
    }

    /// gRPC's `max_ping_strikes`.
    static let pingStrikesAllowed = 2

    let frameReadTimeout: TimeAmount
    let idleTimeout: TimeAmount?
    let minimumPingInterval: TimeAmount
    private(set) var lastReadAt: NIODeadline
    /// When the first byte of a frame still incomplete arrived.
    private var partialFrameSince: NIODeadline?
    private var lastPingAt: NIODeadline?
    private var pingStrikes = 0

    init(frameReadTimeout: TimeAmount, idleTimeout: TimeAmount?, minimumPingInterval: TimeAmount, now: NIODeadline = .now()) {
        self.frameReadTimeout = frameReadTimeout
        self.idleTimeout = idleTimeout
        self.minimumPingInterval = minimumPingInterval
        self.lastReadAt = now
    }

    /// How often to look: half the shorter limit, so each acts between 1 and 1.5
    /// times its value with one timer per connection; nil when there is nothing to watch.
    var checkInterval: TimeAmount? {
        let period = min(frameReadTimeout, idleTimeout ?? frameReadTimeout)
        return period > .zero ? .nanoseconds(max(1, period.nanoseconds / 2)) : nil
    }

    /// Bytes were read at `now`.
    mutating func read(at now: NIODeadline) {
        lastReadAt = now
    }

    /// The bytes read at `lastReadAt` left the stream inside a frame or not.
    mutating func readEnded(insideFrame: Bool) {
        if !insideFrame {
            partialFrameSince = nil
        } else if partialFrameSince == nil {
            partialFrameSince = lastReadAt
        }
    }

    /// A PING was read (at `lastReadAt`): `.tooManyPings` when it is a strike too many.
    mutating func pinged() -> Violation? {
        if let last = lastPingAt, lastReadAt - last < minimumPingInterval {
            pingStrikes += 1
        } else {
            pingStrikes = 0
        }
        lastPingAt = lastReadAt
        return pingStrikes > Self.pingStrikesAllowed ? .tooManyPings : nil
    }

    /// The limit broken at `now`, if any; a connection with calls in flight is never idle.
    func violation(at now: NIODeadline, callsInFlight: Bool) -> Violation? {
        if let since = partialFrameSince, now - since >= frameReadTimeout { return .frameReadTimeout(frameReadTimeout) }
        if let idle = idleTimeout, !callsInFlight, now - lastReadAt >= idle { return .idle(idle) }
        return nil
    }
}
