import NIOCore

/// What happens to a call, as the client connection reports it.
public enum ClientCallEvent: Sendable {
    /// A STREAM_MESSAGE: one message of a server-streaming call.
    case message(ByteBuffer)
    /// The RESPONSE that ends the call; `payload` is the unary response when OK.
    case end(ResponseHead, payload: ByteBuffer)
}

/// The client side of one connection, whatever carries it; confined to its event loop.
///
/// Calls get increasing call ids, so a GOAWAY's last call id splits the calls in
/// flight into those the server will answer and those it never ran. The first call
/// to a method sends its full name and binds a method ref; later calls send the
/// 2-byte ref only. Requests are gathered and flushed once per event-loop tick, so
/// concurrent callers share write syscalls. With `keepalive` set, a connection
/// that reads nothing for the interval sends a PING, and one whose PONG does not
/// come within the timeout is closed as dead.
package final class ClientConnection {
    /// What happens to a call on this connection: what its caller hears, or that it
    /// never ran, which a `ClientChannel` turns into a retry elsewhere or an end.
    package enum Event {
        case call(ClientCallEvent)
        /// The call never reached a server's handler (unsent, or above a GOAWAY's last
        /// call id): it may be retried anywhere, mutations included.
        case notRun(RPCError)
    }
    package typealias Listener = (Event) -> Void

    package struct Keepalive: Sendable {
        /// Nothing read for this long sends a PING.
        package var interval: TimeAmount
        /// No PONG within this closes the connection.
        package var timeout: TimeAmount

        package init(interval: TimeAmount, timeout: TimeAmount) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    package let loop: any EventLoop
    private var processor: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    private let maximumResponseFrameLength: UInt32
    private var sink: (any ConnectionOutput)?
    private var nextCallID: UInt32 = 1
    private var methodRefs: [String: UInt16] = [:]
    private var listeners: [UInt32: Listener] = [:]
    private var output = ByteBuffer()
    private var flushScheduled = false
    private var closedError: RPCError?
    /// Calls up to this id have been handed to the transport.
    private var writtenThroughCallID: UInt32 = 0

    private let keepalive: Keepalive?
    private var lastReadAt = NIODeadline.now()
    private var keepaliveTimer: Scheduled<Void>?
    private var pingValue: UInt32 = 0

    /// Told of a GOAWAY before the calls it names as not run hear of it.
    package var onGoAway: ((GoAway) -> Void)?
    /// Told once when the connection closes, before its calls hear of it.
    package var onClose: ((RPCError) -> Void)?

    /// Request bytes written, and response bytes read, for benchmarks.
    package private(set) var bytesSent = 0
    package private(set) var bytesReceived = 0
    /// What the server turned out to speak instead of this protocol, if it did: the
    /// connection was never usable, like one that could not be made.
    package private(set) var foreignProtocol: ForeignProtocol?
    /// Times no PONG came in time.
    package private(set) var keepaliveTimeouts = 0

    private let authToken: [UInt8]?

    /// - Parameters:
    ///   - authToken: sent in an AUTH frame ahead of the first request, so the
    ///     server knows the caller for the connection's whole life.
    ///   - maximumResponseFrameLength: a longer frame from the server is never buffered:
    ///     it fails every call of the connection at once with RESOURCE_EXHAUSTED and
    ///     closes it, as a broken or hostile server would otherwise hold the calls
    ///     until their deadlines.
    package init(
        loop: any EventLoop, keepalive: Keepalive? = nil, authToken: [UInt8]? = nil,
        maximumResponseFrameLength: UInt32 = FrameDecoder.defaultMaximumFrameLength
    ) {
        self.loop = loop
        self.keepalive = keepalive
        self.authToken = authToken
        self.maximumResponseFrameLength = maximumResponseFrameLength
        processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: maximumResponseFrameLength))
    }

    /// Starts writing to `sink`; call once, before the first call.
    package func attach(_ sink: any ConnectionOutput) {
        self.sink = sink
        lastReadAt = .now()
        if let authToken {
            writeAuthFrame(token: authToken, into: &output)
            scheduleFlush()
        }
        scheduleKeepalive()
    }

    /// Calls waiting for their response.
    package var callsInFlight: Int { listeners.count }

    /// Whether new calls would be written (not closed, and no GOAWAY received).
    package var isUsable: Bool { closedError == nil && sink != nil }

    /// Sends a request; `listener` hears every event of the call, ending with `.end`.
    /// On a connection that has closed, the listener hears the failure on a later
    /// tick, never from inside this call. Returns the call id, for `cancel`.
    @discardableResult
    package func startCall(path: String, request: some WireMessage, timeoutMilliseconds: UInt32?, metadata: Metadata, listener: @escaping Listener) -> UInt32 {
        loop.preconditionInEventLoop()
        let callID = nextCallID
        nextCallID &+= 1
        if let closedError {
            // Later, not now: a caller that starts its next call from the listener (as
            // `teams bench` does) would otherwise recurse until the stack overflows.
            loop.assumeIsolated().execute { listener(.notRun(closedError)) }
            return callID
        }
        var head = RequestHead(methodRef: 0, methodName: nil, timeoutMilliseconds: timeoutMilliseconds, metadata: metadata)
        var newRef: UInt16?
        if let ref = methodRefs[path] {
            head.methodRef = ref
        } else {
            head.methodName = path
            if methodRefs.count < Int(UInt16.max) { newRef = UInt16(methodRefs.count + 1) }
            head.methodRef = newRef ?? 0
        }
        do {
            try head.writeFrame(callID: callID, payload: request, into: &output)
        } catch {
            listener(.call(.end(ResponseHead(error), payload: ByteBuffer())))
            return callID
        }
        // Bound only once the frame that names it is on its way.
        if let newRef { methodRefs[path] = newRef }
        listeners[callID] = listener
        scheduleFlush()
        return callID
    }

    /// Gives up on a call: the server is told, and the listener hears `error` now.
    package func cancel(callID: UInt32, _ error: RPCError = RPCError(.cancelled, "cancelled by the caller")) {
        guard let listener = listeners.removeValue(forKey: callID) else { return }
        writeCancelFrame(callID: callID, into: &output)
        scheduleFlush()
        listener(.call(.end(ResponseHead(error), payload: ByteBuffer())))
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.assumeIsolated().execute { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard output.readableBytes > 0, let sink else { return }
        writtenThroughCallID = nextCallID &- 1
        bytesSent += output.readableBytes
        let batch = output
        output = ByteBuffer()
        sink.write(batch)
    }

    /// Handles bytes read from the server.
    package func receive(_ buffer: ByteBuffer) {
        if bytesReceived == 0, let foreign = ForeignProtocol.recognize(buffer, maximumFrameLength: maximumResponseFrameLength) {
            foreignProtocol = foreign
            return closeTransport(failing: RPCError(.unavailable, Self.explain(foreign)))
        }
        bytesReceived += buffer.readableBytes
        if keepalive != nil { lastReadAt = .now() }
        do {
            try processor.process(buffer: buffer) { event in
                switch event {
                case .frame(let frame):
                    handle(frame)
                case .oversized(_, _, let length):
                    throw RPCError(.resourceExhausted, "the server sent a frame of \(length) bytes, more than the client's limit of \(maximumResponseFrameLength) bytes")
                }
            }
        } catch let error as RPCError {
            closeTransport(failing: error)
        } catch {
            closeTransport(failing: RPCError(.internal, "unreadable response stream: \(error)"))
        }
    }

    /// Fails the calls with `error`, then closes the transport: in that order, so the
    /// calls hear the cause rather than the "connection closed" the closing reports.
    private func closeTransport(failing error: RPCError) {
        let transport = sink
        closed(error)
        transport?.close(after: ByteBuffer())
    }

    /// What to say when the server answered in another protocol.
    static func explain(_ foreign: ForeignProtocol) -> String {
        switch foreign {
        case .tls: "the server answered in TLS: it serves TLS on this port, so connect with TLS (teams --tls)"
        case .http: "the server answered in HTTP: this is an HTTP port (the metrics port?), not a TeamService port"
        }
    }

    private func handle(_ frame: Frame) {
        var body = frame.body
        switch frame.type {
        case .response:
            guard let listener = listeners.removeValue(forKey: frame.callID) else { return }
            do {
                let head = try ResponseHead.read(flags: frame.flags, from: &body)
                listener(.call(.end(head, payload: body)))
            } catch {
                listener(.call(.end(ResponseHead(error), payload: ByteBuffer())))
            }
        case .streamMessage:
            listeners[frame.callID]?(.call(.message(body)))
        case .goAway:
            receivedGoAway(GoAway.read(from: &body))
        case .pong:
            guard frame.callID == pingValue else { return }
            keepaliveTimer?.cancel()
            scheduleKeepalive()
        default:
            break
        }
    }

    /// No new call is written; calls above the last call id were not run and end
    /// now; the others wait for their responses until the server closes.
    private func receivedGoAway(_ goAway: GoAway) {
        let error = RPCError(goAway.error.code, "the server is going away: \(goAway.error.message)")
        if closedError == nil { closedError = error }
        onGoAway?(goAway)
        let unrun = listeners.filter { $0.key > goAway.lastCallID }
        for (callID, listener) in unrun.sorted(by: { $0.key < $1.key }) {
            listeners[callID] = nil
            // Only a drain (UNAVAILABLE) is worth retrying elsewhere; a refused token or a
            // broken stream would be refused again.
            if goAway.error.code == .unavailable {
                listener(.notRun(error))
            } else {
                listener(.call(.end(ResponseHead(error), payload: ByteBuffer())))
            }
        }
    }

    /// The transport has closed or failed: every call in flight, and every later
    /// one, ends with `error`. Calls never handed to the transport end as not run.
    package func closed(_ error: RPCError) {
        guard sink != nil || !listeners.isEmpty else { return }
        keepaliveTimer?.cancel()
        sink = nil
        if closedError == nil { closedError = error }
        if let onClose {
            self.onClose = nil
            onClose(error)
        }
        fail(error)
    }

    /// Closes the transport; calls in flight end with UNAVAILABLE.
    package func close() {
        sink?.close(after: ByteBuffer())
        closed(RPCError(.unavailable, "the connection was closed by the client"))
    }

    private func fail(_ error: RPCError) {
        if closedError == nil { closedError = error }
        let pending = listeners.sorted { $0.key < $1.key }
        listeners.removeAll()
        let maybeRun = RPCError(error.code, "\(error.message); the call may or may not have run")
        for (callID, listener) in pending {
            if callID > writtenThroughCallID {
                listener(.notRun(error))
            } else {
                listener(.call(.end(ResponseHead(maybeRun), payload: ByteBuffer())))
            }
        }
    }

    // MARK: Keepalive

    private func scheduleKeepalive() {
        guard let keepalive, sink != nil else { return }
        keepaliveTimer = loop.assumeIsolated().scheduleTask(deadline: lastReadAt + keepalive.interval) { [self] in
            guard NIODeadline.now() - lastReadAt >= keepalive.interval else { return scheduleKeepalive() }
            pingValue &+= 1
            writeKeepaliveFrame(.ping, value: pingValue, into: &output)
            scheduleFlush()
            keepaliveTimer = loop.assumeIsolated().scheduleTask(in: keepalive.timeout) { [self] in
                keepaliveTimeouts += 1
                let error = RPCError(.unavailable, "no PONG within \(keepalive.timeout) of a PING: the connection is dead")
                sink?.close(after: ByteBuffer())
                closed(error)
            }
        }
    }
}
