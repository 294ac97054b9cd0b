import Logging
import NIOCore
import TeamsWire

/// Serves the calls of one connection: decodes frames, dispatches requests
/// through the `MethodTable`, and writes responses.
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
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let loop: any EventLoop
    private let table: MethodTable
    private let executor: EventLoopTaskExecutor
    private let logger: Logger
    private let maximumBufferedOutput: Int
    private let maximumFrameLength: UInt32
    private var processor: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    private var context: ChannelHandlerContext?

    /// Method refs bound by requests that named their method; values index `table`.
    private var boundMethods: [UInt16: Int] = [:]
    /// Calls that suspended and have not ended yet.
    private var callsInFlight: [UInt32: ServerCall] = [:]
    private var output: ByteBuffer
    private var isReading = false
    private var flushScheduled = false
    private var isQuiescing = false

    init(table: MethodTable, loop: any EventLoop, executor: EventLoopTaskExecutor, maximumFrameLength: UInt32, maximumBufferedOutput: Int, logger: Logger) {
        self.table = table
        self.loop = loop
        self.executor = executor
        self.logger = logger
        self.maximumBufferedOutput = maximumBufferedOutput
        self.maximumFrameLength = maximumFrameLength
        self.processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: maximumFrameLength))
        self.output = ByteBuffer()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.output = context.channel.allocator.buffer(capacity: 0)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        isReading = true
        do {
            try processor.process(buffer: unwrapInboundIn(data)) { event in
                switch event {
                case .frame(let frame): handle(frame)
                case .oversized(let type, let callID, let length):
                    if type == .request {
                        writeResponse(callID: callID, head: ResponseHead(status: .resourceExhausted, message: "request frame of \(length) bytes exceeds the limit of \(maximumFrameLength) bytes"), payload: nil)
                    }
                }
            }
        } catch {
            goAway(RPCError(.invalidArgument, "unreadable byte stream: \(error)"))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
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
            writeResponse(callID: callID, head: ResponseHead(status: error.code, message: error.message), payload: nil)
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
        let deadline = head.timeoutMilliseconds.map { ContinuousClock.now + .milliseconds(Int64($0)) }
        let call = ServerCall(
            callID: callID, context: ServerContext(path: table.entries[index].method.path, metadata: head.metadata, deadline: deadline),
            isStreaming: table.entries[index].kind == .serverStreaming, connection: self)
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

    func writeResponse(callID: UInt32, head: ResponseHead, payload: ((inout ByteBuffer) -> Void)?) {
        reserveOutput()
        head.writeFrame(callID: callID, into: &output, payload: payload)
        outputWritten()
    }

    /// Queues a stream message; returns true when this flushed a full buffer, so a
    /// long stream should yield to let the loop write it out.
    func writeStreamMessage<Message: WireMessage>(callID: UInt32, _ message: Message) -> Bool {
        reserveOutput()
        writeStreamMessageFrame(callID: callID, message: message, into: &output)
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
        guard let channel = context?.channel else { return nil }
        let buffered = (try? channel.syncOptions?.getOption(ChannelOptions.Types.BufferedWritableBytesOption())) ?? 0
        let total = buffered + output.readableBytes
        return total > maximumBufferedOutput ? total : nil
    }

    private func outputWritten() {
        // Inside a read batch, channelReadComplete flushes; otherwise flush once this tick's work is done.
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
        guard output.readableBytes > 0, let context else { return }
        let batch = output
        output = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(batch), promise: nil)
    }

    func callEnded(_ call: ServerCall) {
        if call.isTracked { callsInFlight[call.callID] = nil }
        if isQuiescing, callsInFlight.isEmpty { closeWhenFlushed() }
    }

    // MARK: Connection lifecycle

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Stop reading requests while the client is not reading responses.
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenComplete { _ in }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        for call in callsInFlight.values { call.abort(RPCError(.cancelled, "the connection closed")) }
        callsInFlight.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            isQuiescing = true
            // Unary calls finish; streams would never end by themselves, so they end now.
            for call in callsInFlight.values where call.isStreaming {
                call.abort(RPCError(.unavailable, "the server is shutting down; resume from the last sequence received"))
            }
            if callsInFlight.isEmpty { closeWhenFlushed() }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    private func goAway(_ error: RPCError) {
        logger.info("closing connection", metadata: ["reason": "\(error)"])
        writeGoAwayFrame(error, into: &output)
        closeWhenFlushed()
    }

    private func closeWhenFlushed() {
        guard let context else { return }
        let batch = output
        output = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(batch)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
