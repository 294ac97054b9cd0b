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
/// Calls get increasing call ids. The first call to a method sends its full name
/// and binds a method ref; later calls send the 2-byte ref only. Requests are
/// gathered and flushed once per event-loop tick, so concurrent callers share
/// write syscalls.
package final class ClientConnection {
    package typealias Listener = (ClientCallEvent) -> Void

    let loop: any EventLoop
    private var processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: UInt32.max))
    private var sink: (any ConnectionOutput)?
    private var nextCallID: UInt32 = 1
    private var methodRefs: [String: UInt16] = [:]
    private var listeners: [UInt32: Listener] = [:]
    private var output = ByteBuffer()
    private var flushScheduled = false
    private var closedError: RPCError?

    /// Request bytes written, and response bytes read, for benchmarks.
    private(set) var bytesSent = 0
    private(set) var bytesReceived = 0

    package init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Starts writing to `sink`; call once, before the first call.
    package func attach(_ sink: any ConnectionOutput) {
        self.sink = sink
    }

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
            loop.assumeIsolated().execute { listener(.end(ResponseHead(closedError), payload: ByteBuffer())) }
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
            listener(.end(ResponseHead(error), payload: ByteBuffer()))
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
        listener(.end(ResponseHead(error), payload: ByteBuffer()))
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.assumeIsolated().execute { self.flush() }
    }

    private func flush() {
        flushScheduled = false
        guard output.readableBytes > 0, let sink else { return }
        bytesSent += output.readableBytes
        let batch = output
        output = ByteBuffer()
        sink.write(batch)
    }

    /// Handles bytes read from the server.
    package func receive(_ buffer: ByteBuffer) {
        bytesReceived += buffer.readableBytes
        do {
            try processor.process(buffer: buffer) { event in
                guard case .frame(let frame) = event else { return }
                handle(frame)
            }
        } catch {
            fail(RPCError(.internal, "unreadable response stream: \(error)"))
            sink?.close(after: ByteBuffer())
        }
    }

    private func handle(_ frame: Frame) {
        var body = frame.body
        switch frame.type {
        case .response:
            guard let listener = listeners.removeValue(forKey: frame.callID) else { return }
            do {
                let head = try ResponseHead.read(flags: frame.flags, from: &body)
                listener(.end(head, payload: body))
            } catch {
                listener(.end(ResponseHead(error), payload: ByteBuffer()))
            }
        case .streamMessage:
            listeners[frame.callID]?(.message(body))
        case .goAway:
            let code = body.readInteger(as: UInt8.self).flatMap(StatusCode.init(rawValue:)) ?? .unavailable
            let message = body.readInteger(as: UInt16.self).flatMap { body.readString(length: Int($0)) } ?? ""
            fail(RPCError(code, "server closed the connection: \(message)"))
        default:
            break
        }
    }

    /// The transport has closed or failed: every call in flight, and every later
    /// one, ends with `error`.
    package func closed(_ error: RPCError) {
        fail(error)
        sink = nil
    }

    private func fail(_ error: RPCError) {
        if closedError == nil { closedError = error }
        let pending = listeners
        listeners.removeAll()
        for listener in pending.values {
            listener(.end(ResponseHead(error), payload: ByteBuffer()))
        }
    }
}
