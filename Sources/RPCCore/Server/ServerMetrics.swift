import CoreMetrics
import NIOCore
import Synchronization

/// What a server counts about its calls, connections and frames, through one
/// swift-metrics `MetricsFactory` (the process bootstraps it with swift-prometheus).
///
/// Every handle is made when the server starts (OK for every method) or once, on
/// first use (other statuses), so a call pays one counter increment, one histogram
/// record and one clock read, and no lookup by name. The metric names are `Name`'s.
public final class ServerMetrics: Sendable {
    /// The metric names, with their labels.
    public enum Name {
        /// Counter; labels `method` (the path) and `code` (e.g. `NOT_FOUND`).
        public static let calls = "rpc_server_calls_total"
        /// Histogram in seconds, from the read of the request to the queuing of the response; label `method`.
        public static let callDuration = "rpc_server_call_duration_seconds"
        /// Gauge; label `method`. Only calls that suspended can be seen in flight.
        public static let callsInFlight = "rpc_server_calls_in_flight"
        /// Gauge.
        public static let connectionsOpen = "rpc_server_connections_open"
        /// Counter.
        public static let connectionsAccepted = "rpc_server_connections_accepted_total"
        /// Counter; label `cause`, a `ConnectionRejection`.
        public static let connectionsRejected = "rpc_server_connections_rejected_total"
        /// Counter; label `cause`, a `FrameRejection`.
        public static let framesRejected = "rpc_server_frames_rejected_total"
        /// Counter: lines a peer caused (denied calls, refused authentications, closed
        /// connections) that `PeerLogLimiter` dropped to keep the log from flooding.
        public static let logLinesSuppressed = "rpc_server_log_lines_suppressed_total"
    }

    /// The label of calls that named no method this server knows.
    public static let unknownMethod = "unknown"

    /// Why a connection was refused or cut off.
    public enum ConnectionRejection: String, CaseIterable, Sendable {
        /// The connection limit was reached.
        case limit
        /// A stream that cannot be read (a frame length below the minimum, a late AUTH frame, a stalled frame).
        case badStream = "bad_stream"
        /// A bad AUTH frame or token.
        case auth
        /// The TLS handshake failed or timed out.
        case tls
    }

    /// Why a frame was answered with an error without running a handler.
    public enum FrameRejection: String, CaseIterable, Sendable {
        case oversized
        /// The request head or the payload does not decode.
        case undecodable
        case unknownMethod = "unknown_method"
    }

    /// One method's handles; an unknown method's are counters only.
    final class Method: Sendable {
        let path: String
        let duration: CoreMetrics.Timer?
        let inFlight: Meter?
        private let ok: Counter?
        private let byStatus: Mutex<[Counter?]>
        private let factory: any MetricsFactory

        init(path: String, isKnown: Bool, factory: any MetricsFactory) {
            self.path = path
            self.factory = factory
            duration = isKnown ? CoreMetrics.Timer(label: Name.callDuration, dimensions: [("method", path)], factory: factory) : nil
            inFlight = isKnown ? Meter(label: Name.callsInFlight, dimensions: [("method", path)], factory: factory) : nil
            ok = isKnown ? Counter(label: Name.calls, dimensions: [("method", path), ("code", "\(StatusCode.ok)")], factory: factory) : nil
            byStatus = Mutex(Array(repeating: nil, count: StatusCode.allCases.count))
        }

        func count(_ status: StatusCode) {
            if status == .ok, let ok { return ok.increment() }
            let counter = byStatus.withLock { counters in
                if let counter = counters[Int(status.rawValue)] { return counter }
                let counter = Counter(label: Name.calls, dimensions: [("method", path), ("code", "\(status)")], factory: factory)
                counters[Int(status.rawValue)] = counter
                return counter
            }
            counter.increment()
        }
    }

    /// Indexed like the `MethodTable`'s entries.
    let methods: [Method]
    let unknown: Method
    let connectionsOpen: Meter
    let connectionsAccepted: Counter
    private let connectionsRejected: [Counter]
    private let framesRejected: [Counter]
    private let logLinesSuppressed: Counter

    public init(table: MethodTable, factory: any MetricsFactory) {
        methods = table.entries.map { Method(path: $0.method.path, isKnown: true, factory: factory) }
        unknown = Method(path: Self.unknownMethod, isKnown: false, factory: factory)
        connectionsOpen = Meter(label: Name.connectionsOpen, factory: factory)
        connectionsAccepted = Counter(label: Name.connectionsAccepted, factory: factory)
        connectionsRejected = ConnectionRejection.allCases.map {
            Counter(label: Name.connectionsRejected, dimensions: [("cause", $0.rawValue)], factory: factory)
        }
        framesRejected = FrameRejection.allCases.map {
            Counter(label: Name.framesRejected, dimensions: [("cause", $0.rawValue)], factory: factory)
        }
        logLinesSuppressed = Counter(label: Name.logLinesSuppressed, factory: factory)
    }

    /// A call ran and ended with `status`; it began when its request was read, at `start`.
    func callEnded(method index: Int, status: StatusCode, start: NIODeadline, wasInFlight: Bool) {
        let method = methods[index]
        method.count(status)
        method.duration?.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
        if wasInFlight { method.inFlight?.decrement() }
    }

    /// A call was answered without running: unknown, denied, over a limit, or unreadable.
    func callRefused(method index: Int?, status: StatusCode) {
        (index.map { methods[$0] } ?? unknown).count(status)
    }

    public func connectionAccepted() {
        connectionsAccepted.increment()
        connectionsOpen.increment()
    }

    public func connectionClosed() { connectionsOpen.decrement() }

    public func connectionRejected(_ cause: ConnectionRejection) {
        connectionsRejected[ConnectionRejection.allCases.firstIndex(of: cause)!].increment()
    }

    func logLineSuppressed() { logLinesSuppressed.increment() }

    func frameRejected(_ cause: FrameRejection) {
        framesRejected[FrameRejection.allCases.firstIndex(of: cause)!].increment()
    }
}
