import Logging
import NIOCore

/// Serves the calls of one connection, whatever carries it: decodes frames,
/// dispatches requests through the `MethodTable`, and writes responses to its
/// `ConnectionOutput`. Confined to one event loop.
///
/// Handlers start synchronously on the event loop. A call its handler ends at once
/// (`Registrar.unary(_:immediately:_:)`) costs no task; the rest run in a task that
/// starts at once on the loop (`Task.immediate`) and resumes there after a
/// suspension, so a call that never suspends costs no thread hop.
/// Responses are gathered into one buffer and written with one flush per read
/// batch or event-loop tick.
///
/// Bad input never ends the connection while the stream can still be read:
/// an unknown method gets UNIMPLEMENTED, an undecodable payload INVALID_ARGUMENT,
/// an oversized frame RESOURCE_EXHAUSTED, one call too many RESOURCE_EXHAUSTED.
/// A GOAWAY naming the last call accepted, then a close, ends a connection whose
/// stream cannot be resynchronised (a length below the minimum), that stalls inside
/// a frame (an oversized one being skipped included), sits idle, pings too often,
/// has not authenticated within the authentication timeout, or is drained.
///
/// Lines a peer can cause at will (denied calls, refused authentications, closes for
/// bad input) go through the server's `PeerLogLimiter`.
package final class ServerConnection {
    package struct Limits: Sendable {
        /// The largest frame accepted, in bytes after the length prefix.
        package var maximumFrameLength: UInt32
        /// How many response bytes may wait for a slow reader before its streams are cut off.
        package var maximumBufferedOutput: Int
        /// Calls started and not yet answered, streams included; one more gets RESOURCE_EXHAUSTED.
        package var maximumCallsInFlight: Int = 1_000
        /// With no call in flight and nothing read for this long, the connection is closed; nil never.
        package var idleTimeout: TimeAmount? = .minutes(15)
        /// A frame begun must be complete within this, else the connection is closed (slowloris).
        package var frameReadTimeout: TimeAmount = .seconds(20)
        /// How long a drain lets calls in flight finish before answering them UNAVAILABLE.
        package var drainTimeout: TimeAmount = .seconds(30)
        /// PINGs closer together than this are strikes; the third in a row closes the connection.
        package var minimumPingInterval: TimeAmount = .seconds(10)
        /// With an authenticator, a connection that has named no caller by then gets
        /// GOAWAY UNAUTHENTICATED and is closed, so it cannot hold a slot.
        package var authenticationTimeout: TimeAmount = .seconds(10)

        package init(maximumFrameLength: UInt32, maximumBufferedOutput: Int) {
            self.maximumFrameLength = maximumFrameLength
            self.maximumBufferedOutput = maximumBufferedOutput
        }

        /// gRPC's `max_ping_strikes`.
        static let pingStrikesAllowed = 2
    }

    let loop: any EventLoop
    private let table: MethodTable
    private let executor: EventLoopTaskExecutor
    private let logger: Logger
    private let limits: Limits
    private var reader: FrameReader
    /// Cleared when the connection closes, which also breaks the cycle with a transport that owns us.
    private var sink: (any ConnectionOutput)?

    /// Method refs bound by requests that named their method; values index `table`.
    private var boundMethods = MethodBindings()
    /// Calls that suspended and have not ended yet.
    private var callsInFlight: [UInt32: ServerCall] = [:]
    private var output = ByteBuffer()
    private var isReading = false
    private var flushScheduled = false
    private var isQuiescing = false
    /// The id of the last call started; a GOAWAY names it, so the client knows which calls never ran.
    private var lastAcceptedCallID: UInt32 = 0
    private var lastReadAt = NIODeadline.now()
    /// When the first byte of a frame still incomplete arrived.
    private var partialFrameSince: NIODeadline?
    private var lastPingAt: NIODeadline?
    private var pingStrikes = 0
    private var housekeeping: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?
    private var authenticationTimer: Scheduled<Void>?

    private let authenticator: (any CallerAuthenticator)?
    private let peerAddress: String?
    private var hasReadAFrame = false
    private var caller: Caller?
    /// With an authenticator, whether the caller may call each method of `table`.
    private var permitted: [Bool]?
    private let metrics: ServerMetrics?
    /// Whether every call is logged when it ends (`--access-log`); off, calls pay nothing for it.
    private let logsEveryCall: Bool
    private let peerLog: PeerLogLimiter

    /// - Parameters:
    ///   - authenticator: who may call what; nil serves every caller.
    ///   - peerAddress: the client's address, for limiting failed authentications and for logs.
    ///   - metrics: what to count; nil counts nothing.
    ///   - logsEveryCall: log one line per call as it ends, at info.
    ///   - peerLog: the rate of lines a peer can cause; share one between a server's connections.
    package init(
        table: MethodTable, loop: any EventLoop, executor: EventLoopTaskExecutor, limits: Limits, logger: Logger,
        authenticator: (any CallerAuthenticator)? = nil, peerAddress: String? = nil,
        metrics: ServerMetrics? = nil, logsEveryCall: Bool = false, peerLog: PeerLogLimiter = PeerLogLimiter()
    ) {
        self.table = table
        self.loop = loop
        self.executor = executor
        self.logger = logger
        self.limits = limits
        self.authenticator = authenticator
        self.peerAddress = peerAddress
        self.metrics = metrics
        self.logsEveryCall = logsEveryCall
        self.peerLog = peerLog
        self.reader = FrameReader(maximumFrameLength: limits.maximumFrameLength)
        if let authenticator { permitted = table.entries.map { authenticator.allows(nil, toCall: $0.method.path) } }
    }

    /// Starts writing to `sink`; call once, before the first `receive`.
    package func attach(_ sink: any ConnectionOutput) {
        self.sink = sink
        scheduleHousekeeping()
        if authenticator != nil, caller == nil {
            let timeout = limits.authenticationTimeout
            authenticationTimer = loop.assumeIsolated().scheduleTask(in: timeout) {
                guard self.sink != nil, self.caller == nil else { return }
                self.goAway(RPCError(.unauthenticated, "not authenticated within \(timeout)"), reason: "authentication timeout", rejection: .auth)
            }
        }
    }

    // MARK: Reading

    /// Handles bytes read from the peer. Responses of calls that finish at once
    /// are held until `receiveComplete`, so one read batch makes one write.
    package func receive(_ bytes: ByteBuffer) {
        isReading = true
        let now = NIODeadline.now()
        lastReadAt = now
        defer {
            if !reader.isInsideFrame {
                partialFrameSince = nil
            } else if partialFrameSince == nil {
                partialFrameSince = now
            }
        }
        do {
            try reader.read(bytes) { event in
                switch event {
                case .frame(let frame): handle(frame)
                case .oversized(let type, let callID, let length):
                    metrics?.frameRejected(.oversized)
                    if type == .request {
                        refuse(callID, method: nil, .resourceExhausted, "request frame of \(length) bytes exceeds the limit of \(limits.maximumFrameLength) bytes")
                    }
                }
            }
        } catch {
            goAway(RPCError(.invalidArgument, "unreadable byte stream: \(error)"), reason: "bad stream", rejection: .badStream)
        }
    }

    /// The end of a read batch: writes what it produced.
    package func receiveComplete() {
        isReading = false
        flushOutput()
    }

    private func handle(_ frame: Frame) {
        let isFirstFrame = !hasReadAFrame
        hasReadAFrame = true
        switch frame.type {
        case .request:
            startCall(frame)
        case .cancel:
            callsInFlight[frame.callID]?.abort(RPCError(.cancelled, "cancelled by the client"))
        case .ping:
            answerPing(value: frame.callID)
        case .auth:
            authenticate(frame, isFirstFrame: isFirstFrame)
        default:
            writeResponse(callID: frame.callID, head: ResponseHead(status: .invalidArgument, message: "a client may not send frame \(frame.type)"), payload: nil)
        }
    }

    private func startCall(_ frame: Frame) {
        let callID = frame.callID
        guard !isQuiescing else {
            return refuse(callID, method: nil, .unavailable, "the server is draining; the call was not run")
        }
        var body = frame.body
        let head: RequestHead
        do {
            head = try RequestHead.read(flags: frame.flags, from: &body)
        } catch {
            metrics?.frameRejected(.undecodable)
            return refuse(callID, method: nil, error.code, error.message)
        }
        guard let index = resolveMethod(head) else {
            metrics?.frameRejected(.unknownMethod)
            let message = head.methodName.map { "unknown method \($0)" } ?? "method ref \(head.methodRef) is not bound on this connection; send the method name first"
            return refuse(callID, method: nil, .unimplemented, message)
        }
        // Fields one by one: copying the whole entry would retain and release its strings.
        guard let handler = table.entries[index].handler else {
            return refuse(callID, method: index, .unimplemented, "method \(table.entries[index].method.path) is not implemented by this server")
        }
        guard callsInFlight.isEmpty || callsInFlight[callID] == nil else {
            return refuse(callID, method: index, .invalidArgument, "call id \(callID) is already in flight")
        }
        guard callsInFlight.count < limits.maximumCallsInFlight else {
            return refuse(callID, method: index, .resourceExhausted, "\(callsInFlight.count) calls are in flight on this connection, the limit")
        }
        if let permitted, !permitted[index] {
            return deny(callID: callID, method: index)
        }
        if head.timeoutMilliseconds == 0 {
            return refuse(callID, method: index, .deadlineExceeded, "deadline of 0 ms had passed on arrival")
        }
        let requestID = head.metadata.isEmpty ? nil : head.metadata[Metadata.requestIDKey]
        let traceParent = head.metadata.isEmpty ? nil : head.metadata[TraceContext.metadataKey].flatMap(TraceContext.validated)
        lastAcceptedCallID = callID
        let call = ServerCall(
            callID: callID, method: index, context: ServerContext(path: table.entries[index].method.path, caller: caller),
            isStreaming: table.entries[index].kind == .serverStreaming, requestID: requestID, traceParent: traceParent,
            startedAt: lastReadAt, connection: self)
        call.isAudited = permitted != nil && !table.entries[index].idempotency.isSafeToRetry
        // A call the handler ends at once costs no task.
        let started = if let traceParent {
            TraceContext.$traceParent.withValue(traceParent) { handler(body, call) }
        } else {
            handler(body, call)
        }
        guard let rest = started else { return }
        let task = if let traceParent {
            Task.immediate(executorPreference: executor) { await TraceContext.$traceParent.withValue(traceParent) { await rest() } }
        } else {
            Task.immediate(executorPreference: executor) { await rest() }
        }
        if !call.isFinished {
            call.task = task
            call.isTracked = true
            metrics?.methods[index].inFlight?.increment()
            callsInFlight[callID] = call
            // Armed only for a call that suspended: one that finished at once met any deadline.
            if let timeout = head.timeoutMilliseconds {
                call.deadlineTimer = loop.scheduleTask(in: .milliseconds(Int64(timeout))) {
                    call.abort(RPCError(.deadlineExceeded, "deadline of \(timeout) ms exceeded"))
                }
            }
        }
    }

    // MARK: Authentication

    /// An AUTH frame: the first frame may name the caller by a token; a wrong token ends the connection.
    private func authenticate(_ frame: Frame, isFirstFrame: Bool) {
        guard isFirstFrame else {
            return goAway(RPCError(.invalidArgument, "AUTH must be the first frame on a connection"), reason: "late AUTH", rejection: .badStream)
        }
        guard let authenticator else { return }  // authentication is off: nothing to check
        var body = frame.body
        guard body.readInteger(as: UInt8.self) == AuthScheme.bearerToken,
            let length = body.readInteger(as: UInt16.self), (1...1024).contains(length),
            let token = body.readBytes(length: Int(length)), body.readableBytes == 0
        else {
            return goAway(
                RPCError(.unauthenticated, "an AUTH frame carries scheme 1 and a token of 1 to 1024 bytes, and nothing after it"),
                reason: "bad AUTH", rejection: .auth)
        }
        switch authenticator.authenticate(token: token, from: peerAddress) {
        case .success(let caller):
            name(caller)
        case .failure(let error):
            goAway(error, reason: "authentication refused", rejection: .auth)
        }
    }

    /// The transport verified a client certificate naming `name`.
    package func authenticate(certificateName name: String) {
        guard let authenticator, caller == nil, let caller = authenticator.caller(forCertificateName: name) else { return }
        self.name(caller)
    }

    private func name(_ caller: Caller) {
        guard let authenticator else { return }
        self.caller = caller
        authenticationTimer?.cancel()
        permitted = table.entries.map { authenticator.allows(caller, toCall: $0.method.path) }
    }

    private func deny(callID: UInt32, method index: Int) {
        let path = table.entries[index].method.path
        let error: RPCError
        if let caller {
            error = RPCError(.permissionDenied, "caller \(caller) may not call \(path)")
        } else {
            error = RPCError(.unauthenticated, "authenticate with a token (AUTH frame) or a client certificate")
        }
        peerLog.log(logger, level: .notice, "call denied", metadata: [
            "caller": "\(caller?.name ?? "-")", "method": "\(path)", "status": "\(error.code)", "peer": "\(peerAddress ?? "-")",
        ])
        writeResponse(callID: callID, head: ResponseHead(error), payload: nil)
        metrics?.callRefused(method: index, status: error.code)
    }

    /// Answers a call without running it, and counts it.
    private func refuse(_ callID: UInt32, method index: Int?, _ status: StatusCode, _ message: String) {
        writeResponse(callID: callID, head: ResponseHead(status: status, message: message), payload: nil)
        metrics?.callRefused(method: index, status: status)
        if logsEveryCall {
            logger.info("call", metadata: [
                "method": "\(index.map { table.entries[$0].method.path } ?? ServerMetrics.unknownMethod)", "status": "\(status)",
                "call_id": "\(callID)", "peer": "\(peerAddress ?? "-")", "caller": "\(caller?.name ?? "-")", "message": "\(message)",
            ])
        }
    }

    /// Answers at once; a peer that keeps pinging sooner than the minimum interval is cut off.
    /// A request's payload did not decode.
    func payloadRejected() { metrics?.frameRejected(.undecodable) }

    private func answerPing(value: UInt32) {
        if let last = lastPingAt, lastReadAt - last < limits.minimumPingInterval {
            pingStrikes += 1
        } else {
            pingStrikes = 0
        }
        lastPingAt = lastReadAt
        guard pingStrikes <= Limits.pingStrikesAllowed else {
            goAway(RPCError(.resourceExhausted, "too many pings"), reason: "too many pings")
            return
        }
        reserveOutput()
        writeKeepaliveFrame(.pong, value: value, into: &output)
        outputWritten()
    }

    private func resolveMethod(_ head: RequestHead) -> Int? {
        guard let name = head.methodName else { return boundMethods[head.methodRef] }
        let index = table.index(of: name)
        if let index, head.methodRef != 0 { boundMethods.bind(head.methodRef, to: index) }
        return index
    }

    // MARK: Writing

    /// Queues a RESPONSE frame. When `payload` throws, the call ends with its error instead.
    func writeResponse(callID: UInt32, head: ResponseHead, payload: ((inout ByteBuffer) throws(RPCError) -> Void)?) {
        writeResponse(callID: callID) { buffer throws(RPCError) in try head.writeFrame(callID: callID, into: &buffer, payload: payload) }
    }

    /// Queues the RESPONSE frame `writeFrame` appends. When it throws, the call ends with its error instead.
    func writeResponse(callID: UInt32, _ writeFrame: (inout ByteBuffer) throws(RPCError) -> Void) {
        reserveOutput()
        do {
            try writeFrame(&output)
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

    /// A call ended with `status`: counted, audited when it may have changed state, logged with `--access-log`.
    func callEnded(_ call: ServerCall, status: StatusCode) {
        if call.isTracked { callsInFlight[call.callID] = nil }
        metrics?.callEnded(method: call.method, status: status, start: call.startedAt, wasInFlight: call.isTracked)
        if call.isAudited || logsEveryCall {
            // An audit line is a notice, so it shows at the default log level.
            logger.log(level: call.isAudited ? .notice : .info, "call", metadata: [
                "method": "\(call.context.path)", "status": "\(status)", "duration_us": "\((NIODeadline.now() - call.startedAt).nanoseconds / 1000)",
                "request_id": "\(call.requestID ?? "-")", "traceparent": "\(call.traceParent ?? "-")",
                "call_id": "\(call.callID)", "peer": "\(peerAddress ?? "-")", "caller": "\(caller?.name ?? "-")",
            ])
        }
        if isQuiescing, callsInFlight.isEmpty { closeWhenFlushed() }
    }

    // MARK: Connection lifecycle

    /// The server is shutting down. A GOAWAY tells the client the last call that
    /// will run; later requests get UNAVAILABLE unrun; streams end now with
    /// UNAVAILABLE; unary calls in flight finish, for up to the drain timeout,
    /// after which they are answered UNAVAILABLE. Then the connection closes.
    package func quiesce() {
        guard !isQuiescing else { return }
        isQuiescing = true
        reserveOutput()
        writeGoAwayFrame(RPCError(.unavailable, "the server is shutting down"), lastCallID: lastAcceptedCallID, into: &output)
        outputWritten()
        for call in callsInFlight.values where call.isStreaming {
            call.abort(RPCError(.unavailable, "the server is shutting down; resume from the last sequence received"))
        }
        if callsInFlight.isEmpty {
            closeWhenFlushed()
            return
        }
        let timeout = limits.drainTimeout
        drainTimer = loop.assumeIsolated().scheduleTask(in: timeout) {
            for call in self.callsInFlight.values {
                call.abort(RPCError(.unavailable, "the drain timeout of \(timeout) passed; the call may or may not have run"))
            }
        }
    }

    /// The transport has closed: calls in flight are cancelled and nothing more is written.
    package func closed() {
        housekeeping?.cancel()
        drainTimer?.cancel()
        authenticationTimer?.cancel()
        for call in callsInFlight.values { call.abort(RPCError(.cancelled, "the connection closed")) }
        callsInFlight.removeAll()
        sink = nil
    }

    /// Checks the idle and frame-read limits every half of the shorter one, so a limit
    /// acts between 1 and 1.5 times its value, with one timer per connection.
    private func scheduleHousekeeping() {
        let period = min(limits.frameReadTimeout, limits.idleTimeout ?? limits.frameReadTimeout)
        guard period > .zero else { return }
        housekeeping = loop.assumeIsolated().scheduleTask(in: .nanoseconds(max(1, period.nanoseconds / 2))) {
            guard self.sink != nil else { return }
            let now = NIODeadline.now()
            if let since = self.partialFrameSince, now - since >= self.limits.frameReadTimeout {
                self.goAway(RPCError(.deadlineExceeded, "a frame was not completed within \(self.limits.frameReadTimeout)"), reason: "frame read timeout", rejection: .badStream)
            } else if let idle = self.limits.idleTimeout, self.callsInFlight.isEmpty, now - self.lastReadAt >= idle {
                self.goAway(RPCError(.unavailable, "idle for \(idle)"), reason: "idle")
            } else {
                self.scheduleHousekeeping()
            }
        }
    }

    /// - Parameter rejection: how metrics count it, when the peer is to blame; the log
    ///   line is then rate-limited (one line per close, a refused authentication included).
    private func goAway(_ error: RPCError, reason: String, rejection: ServerMetrics.ConnectionRejection? = nil) {
        let metadata: Logger.Metadata = ["reason": "\(reason)", "error": "\(error)", "peer": "\(peerAddress ?? "-")"]
        if let rejection {
            metrics?.connectionRejected(rejection)
            peerLog.log(logger, level: rejection == .auth ? .notice : .info, "closing connection", metadata: metadata)
        } else {
            logger.info("closing connection", metadata: metadata)
        }
        isQuiescing = true
        reserveOutput()
        writeGoAwayFrame(error, lastCallID: lastAcceptedCallID, into: &output)
        closeWhenFlushed()
    }

    private func closeWhenFlushed() {
        guard let sink else { return }
        let batch = output
        output = ByteBuffer()
        sink.close(after: batch)
    }
}
