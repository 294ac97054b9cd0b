import Logging
import NIOCore

/// Serves the calls of one connection, whatever carries it: decodes frames,
/// dispatches requests through the `MethodTable`, and writes responses to its
/// `ConnectionOutput`. Confined to one event loop.
///
/// Handlers start synchronously on the event loop (`Task.immediate`) and resume
/// there after a suspension, so a call that never suspends costs no thread hop.
/// Responses are gathered into one buffer and written with one flush per read
/// batch or event-loop tick.
///
/// Bad input never ends the connection while the stream can still be read:
/// an unknown method gets UNIMPLEMENTED, an undecodable payload INVALID_ARGUMENT,
/// an oversized frame RESOURCE_EXHAUSTED. Only a length below the minimum, which
/// leaves no way to find the next frame, gets a GOAWAY and a close.
package final class ServerConnection {
    package struct Limits: Sendable {
        /// The largest frame accepted, in bytes after the length prefix.
        package var maximumFrameLength: UInt32
        /// How many response bytes may wait for a slow reader before its streams are cut off.
        package var maximumBufferedOutput: Int

        package init(maximumFrameLength: UInt32, maximumBufferedOutput: Int) {
            self.maximumFrameLength = maximumFrameLength
            self.maximumBufferedOutput = maximumBufferedOutput
        }
    }

    let loop: any EventLoop
    private let table: MethodTable
    private let executor: EventLoopTaskExecutor
    private let logger: Logger
    private let limits: Limits
    private var processor: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    /// Cleared when the connection closes, which also breaks the cycle with a transport that owns us.
    private var sink: (any ConnectionOutput)?

    /// Method refs bound by requests that named their method; values index `table`.
    private var boundMethods: [UInt16: Int] = [:]
    /// Calls that suspended and have not ended yet.
    private var callsInFlight: [UInt32: ServerCall] = [:]
    private var output = ByteBuffer()
    private var isReading = false
    private var flushScheduled = false
    private var isQuiescing = false

    package init(table: MethodTable, loop: any EventLoop, executor: EventLoopTaskExecutor, limits: Limits, logger: Logger) {
        self.table = table
        self.loop = loop
        self.executor = executor
        self.logger = logger
        self.limits = limits
        self.processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: limits.maximumFrameLength))
    }

    /// Starts writing to `sink`; call once, before the first `receive`.
    package func attach(_ sink: any ConnectionOutput) {
        self.sink = sink
    }

    // MARK: Reading

    /// Handles bytes read from the peer. Responses of calls that finish at once
    /// are held until `receiveComplete`, so one read batch makes one write.
    package func receive(_ bytes: ByteBuffer) {
        isReading = true
        do {
            try processor.process(buffer: bytes) { event in
                switch event {
                case .frame(let frame): handle(frame)
                case .oversized(let type, let callID, let length):
                    if type == .request {
                        writeResponse(callID: callID, head: ResponseHead(status: .resourceExhausted, message: "request frame of \(length) bytes exceeds the limit of \(limits.maximumFrameLength) bytes"), payload: nil)
                    }
                }
            }
        } catch {
            goAway(RPCError(.invalidArgument, "unreadable byte stream: \(error)"))
        }
    }

    /// The end of a read batch: writes what it produced.
    package func receiveComplete() {
        isReading = false
        flushOutput()
    }

    private func handle(_ frame: Frame) {
        switch frame.type {
        case .request:
            startCall(frame)
        case .cancel:
            callsInFlight[frame.callID]?.abort(RPCError(.cancelled, "cancelled by the client"))
        default:
            writeResponse(callID: frame.callID, head: ResponseHead(status: .invalidArgument, message: "a client may not send frame \(frame.type)"), payload: nil)
        }
    }

    private func startCall(_ frame: Frame) {
        let callID = frame.callID
        var body = frame.body
        let head: RequestHead
        do {
            head = try RequestHead.read(flags: frame.flags, from: &body)
        } catch {
            writeResponse(callID: callID, head: ResponseHead(error), payload: nil)
            return
        }
        guard let index = resolveMethod(head) else {
            let message = head.methodName.map { "unknown method \($0)" } ?? "method ref \(head.methodRef) is not bound on this connection; send the method name first"
            writeResponse(callID: callID, head: ResponseHead(status: .unimplemented, message: message), payload: nil)
            return
        }
        // Fields one by one: copying the whole entry would retain and release its strings.
        guard let handler = table.entries[index].handler else {
            writeResponse(callID: callID, head: ResponseHead(status: .unimplemented, message: "method \(table.entries[index].method.path) is not implemented by this server"), payload: nil)
            return
        }
        guard !isQuiescing else {
            writeResponse(callID: callID, head: ResponseHead(status: .unavailable, message: "the server is shutting down"), payload: nil)
            return
        }
        guard callsInFlight.isEmpty || callsInFlight[callID] == nil else {
            writeResponse(callID: callID, head: ResponseHead(status: .invalidArgument, message: "call id \(callID) is already in flight"), payload: nil)
            return
        }
        if head.timeoutMilliseconds == 0 {
            writeResponse(callID: callID, head: ResponseHead(status: .deadlineExceeded, message: "deadline of 0 ms had passed on arrival"), payload: nil)
            return
        }
        let requestID = head.metadata.isEmpty ? nil : head.metadata[Metadata.requestIDKey]
        let call = ServerCall(
            callID: callID, context: ServerContext(path: table.entries[index].method.path),
            isStreaming: table.entries[index].kind == .serverStreaming, requestID: requestID, connection: self)
        if let timeout = head.timeoutMilliseconds {
            call.deadlineTimer = loop.scheduleTask(in: .milliseconds(Int64(timeout))) {
                call.abort(RPCError(.deadlineExceeded, "deadline of \(timeout) ms exceeded"))
            }
        }
        let payload = body
        let task = Task.immediate(executorPreference: executor) { await handler(payload, call) }
        if !call.isFinished {
            call.task = task
            call.isTracked = true
            callsInFlight[callID] = call
        }
    }

    private func resolveMethod(_ head: RequestHead) -> Int? {
        guard let name = head.methodName else { return boundMethods[head.methodRef] }
        let index = table.index(of: name)
        if let index, head.methodRef != 0 { boundMethods[head.methodRef] = index }
        return index
    }

    // MARK: Writing

    /// Queues a RESPONSE frame. When `payload` throws, the call ends with its error instead.
    func writeResponse(callID: UInt32, head: ResponseHead, payload: ((inout ByteBuffer) throws(RPCError) -> Void)?) {
        reserveOutput()
        do {
            try head.writeFrame(callID: callID, into: &output, payload: payload)
        } catch {
            // Without the payload or the metadata, the frame cannot fail.
            try? ResponseHead(error).writeFrame(callID: callID, into: &output)
        }
        outputWritten()
    }

    /// Queues a stream message; returns true when this flushed a full buffer, so a
    /// long stream should yield to let the loop write it out.
    func writeStreamMessage<Message: WireMessage>(callID: UInt32, _ message: Message) throws(RPCError) -> Bool {
        reserveOutput()
        try writeStreamMessageFrame(callID: callID, message: message, into: &output)
        if output.readableBytes >= Self.streamFlushThreshold {
            flushOutput()
            return true
        }
        outputWritten()
        return false
    }

    static let streamFlushThreshold = 64 * 1024

    /// The bytes queued beyond `maximumBufferedOutput`, or nil while within it.
    func outboundOverflow() -> Int? {
        guard let sink else { return nil }
        let total = sink.bufferedBytes + output.readableBytes
        return total > limits.maximumBufferedOutput ? total : nil
    }

    private func outputWritten() {
        // Inside a read batch, receiveComplete flushes; otherwise flush once this tick's work is done.
        guard !isReading, !flushScheduled else { return }
        flushScheduled = true
        loop.assumeIsolated().execute { self.flushOutput() }
    }

    /// Gives an empty output buffer room for a batch of responses at once, rather
    /// than growing it step by step as frames are appended.
    @inline(__always)
    private func reserveOutput() {
        if output.capacity == 0 { output.reserveCapacity(Self.outputBatchCapacity) }
    }

    static var outputBatchCapacity: Int { 16 * 1024 }

    private func flushOutput() {
        flushScheduled = false
        guard output.readableBytes > 0, let sink else { return }
        let batch = output
        output = ByteBuffer()
        sink.write(batch)
    }

    func callEnded(_ call: ServerCall) {
        if call.isTracked { callsInFlight[call.callID] = nil }
        if isQuiescing, callsInFlight.isEmpty { closeWhenFlushed() }
    }

    // MARK: Connection lifecycle

    /// The server is shutting down: unary calls in flight finish, streams end now
    /// with UNAVAILABLE, new calls get UNAVAILABLE, and the connection closes once
    /// nothing is in flight.
    package func quiesce() {
        isQuiescing = true
        for call in callsInFlight.values where call.isStreaming {
            call.abort(RPCError(.unavailable, "the server is shutting down; resume from the last sequence received"))
        }
        if callsInFlight.isEmpty { closeWhenFlushed() }
    }

    /// The transport has closed: calls in flight are cancelled and nothing more is written.
    package func closed() {
        for call in callsInFlight.values { call.abort(RPCError(.cancelled, "the connection closed")) }
        callsInFlight.removeAll()
        sink = nil
    }

    private func goAway(_ error: RPCError) {
        logger.info("closing connection", metadata: ["reason": "\(error)"])
        writeGoAwayFrame(error, into: &output)
        closeWhenFlushed()
    }

    private func closeWhenFlushed() {
        guard let sink else { return }
        let batch = output
        output = ByteBuffer()
        sink.close(after: batch)
    }
}
