import Logging
import NIOCore

/// Serves the calls of one connection, whatever carries it: reads frames,
/// dispatches requests through the `MethodTable`, and writes responses to its
/// `ConnectionOutput`. Confined to one event loop.
///
/// Handlers start synchronously on the event loop. A call its handler ends at once
/// (`Registrar.unary(_:immediately:_:)`) costs no task; the rest run in a task that
/// starts at once on the loop (`Task.immediate`) and resumes there after a
/// suspension, so a call that never suspends costs no thread hop.
///
/// Bad input never ends the connection while the stream can still be read:
/// an unknown method gets UNIMPLEMENTED, an undecodable payload INVALID_ARGUMENT,
/// an oversized frame RESOURCE_EXHAUSTED, one call too many RESOURCE_EXHAUSTED.
/// A GOAWAY naming the last call accepted, then a close, ends a connection whose
/// stream cannot be resynchronised (a length below the minimum), that stalls inside
/// a frame, sits idle, pings too often, has not authenticated within the
/// authentication timeout, or is drained.
///
/// Its parts, each tested alone: `ConnectionLifecycle` (open, authenticated,
/// draining, closed), `CallRegistry` (calls in flight), `CallerGate` (who calls,
/// and what they may call), `ConnectionWatchdog` (idle, stalled frames, pings),
/// `OutputBatch` (one write per read batch) and `AccessLog`.
package final class ServerConnection {
    let loop: any EventLoop
    let table: MethodTable
    let executor: EventLoopTaskExecutor
    let limits: Limits
    let metrics: ServerMetrics?
    var reader: FrameReader
    /// Cleared when the connection closes, which also breaks the cycle with a transport that owns us.
    var sink: (any ConnectionOutput)?

    var lifecycle = ConnectionLifecycle()
    var calls: CallRegistry
    var gate: CallerGate
    var watchdog: ConnectionWatchdog
    var output = OutputBatch()
    let log: AccessLog
    /// Method refs bound by requests that named their method; values index `table`.
    var boundMethods = MethodBindings()
    var hasReadAFrame = false
    var housekeeping: Scheduled<Void>?
    var drainTimer: Scheduled<Void>?
    var authenticationTimer: Scheduled<Void>?

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
        self.limits = limits
        self.metrics = metrics
        self.reader = FrameReader(maximumFrameLength: limits.maximumFrameLength)
        calls = CallRegistry(limit: limits.maximumCallsInFlight)
        gate = CallerGate(authenticator: authenticator, peerAddress: peerAddress, paths: table.entries.map(\.method.path))
        watchdog = ConnectionWatchdog(frameReadTimeout: limits.frameReadTimeout, idleTimeout: limits.idleTimeout, minimumPingInterval: limits.minimumPingInterval)
        log = AccessLog(logger: logger, logsEveryCall: logsEveryCall, peerLog: peerLog, peerAddress: peerAddress)
    }

    /// Starts writing to `sink`; call once, before the first `receive`.
    package func attach(_ sink: any ConnectionOutput) {
        self.sink = sink
        scheduleHousekeeping()
        if gate.authenticates, gate.caller == nil {
            let timeout = limits.authenticationTimeout
            authenticationTimer = loop.assumeIsolated().scheduleTask(in: timeout) {
                guard self.lifecycle.state == .open else { return }
                self.goAway(RPCError(.unauthenticated, "not authenticated within \(timeout)"), reason: "authentication timeout", rejection: .auth)
            }
        }
    }

    // MARK: Reading

    /// Handles bytes read from the peer. Responses of calls that finish at once
    /// are held until `receiveComplete`, so one read batch makes one write.
    package func receive(_ bytes: ByteBuffer) {
        output.isReading = true
        watchdog.read(at: .now())
        defer { watchdog.readEnded(insideFrame: reader.isInsideFrame) }
        do {
            try reader.read(bytes) { event in
                switch event {
                case .frame(let frame): handle(frame)
                case .oversized(let type, let callID, let length):
                    metrics?.frameRejected(.oversized)
                    if type == .request {
                        refuse(callID, method: nil, RPCError(.resourceExhausted, "request frame of \(length) bytes exceeds the limit of \(limits.maximumFrameLength) bytes"))
                    }
                }
            }
        } catch {
            goAway(RPCError(.invalidArgument, "unreadable byte stream: \(error)"), reason: "bad stream", rejection: .badStream)
        }
    }

    /// The end of a read batch: writes what it produced.
    package func receiveComplete() {
        output.isReading = false
        flushOutput()
    }

    private func handle(_ frame: Frame) {
        let isFirstFrame = !hasReadAFrame
        hasReadAFrame = true
        switch frame.type {
        case .request:
            startCall(frame)
        case .cancel:
            calls[frame.callID]?.abort(RPCError(.cancelled, "cancelled by the client"))
        case .ping:
            if let violation = watchdog.pinged() { return goAway(violation.error, reason: violation.reason) }
            output.append { writeKeepaliveFrame(.pong, value: frame.callID, into: &$0) }
            outputWritten()
        case .auth:
            guard isFirstFrame else {
                return goAway(RPCError(.invalidArgument, "AUTH must be the first frame on a connection"), reason: "late AUTH", rejection: .badStream)
            }
            switch gate.authenticate(frameBody: frame.body) {
            case .success: authenticated()
            case .failure(let error): goAway(error, reason: "authentication refused", rejection: .auth)
            case nil: break  // authentication is off: nothing to check
            }
        default:
            writeResponse(callID: frame.callID, head: ResponseHead(status: .invalidArgument, message: "a client may not send frame \(frame.type)"), payload: nil)
        }
    }

    private func startCall(_ frame: Frame) {
        let callID = frame.callID
        guard lifecycle.acceptsCalls else {
            return refuse(callID, method: nil, RPCError(.unavailable, "the server is draining; the call was not run"))
        }
        var body = frame.body
        let head: RequestHead
        do {
            head = try RequestHead.read(flags: frame.flags, from: &body)
        } catch {
            metrics?.frameRejected(.undecodable)
            return refuse(callID, method: nil, error)
        }
        guard let index = resolveMethod(head) else {
            metrics?.frameRejected(.unknownMethod)
            let message = head.methodName.map { "unknown method \($0)" } ?? "method ref \(head.methodRef) is not bound on this connection; send the method name first"
            return refuse(callID, method: nil, RPCError(.unimplemented, message))
        }
        // Fields one by one: copying the whole entry would retain and release its strings.
        guard let handler = table.entries[index].handler else {
            return refuse(callID, method: index, RPCError(.unimplemented, "method \(table.entries[index].method.path) is not implemented by this server"))
        }
        if let refusal = calls.refusal(of: callID) { return refuse(callID, method: index, refusal) }
        guard gate.allows(index) else { return deny(callID: callID, method: index) }
        if head.timeoutMilliseconds == 0 {
            return refuse(callID, method: index, RPCError(.deadlineExceeded, "deadline of 0 ms had passed on arrival"))
        }
        let requestID = head.metadata.isEmpty ? nil : head.metadata[Metadata.requestIDKey]
        let traceParent = head.metadata.isEmpty ? nil : head.metadata[TraceContext.metadataKey].flatMap(TraceContext.validated)
        calls.accepted(callID)
        let call = ServerCall(
            callID: callID, method: index, context: ServerContext(path: table.entries[index].method.path, caller: gate.caller),
            isStreaming: table.entries[index].kind == .serverStreaming, requestID: requestID, traceParent: traceParent,
            startedAt: watchdog.lastReadAt, connection: self)
        call.isAudited = gate.authenticates && !table.entries[index].idempotency.isSafeToRetry
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
        guard !call.isFinished else { return }
        call.task = task
        calls.track(call)
        metrics?.methods[index].inFlight?.increment()
        // Armed only for a call that suspended: one that finished at once met any deadline.
        if let timeout = head.timeoutMilliseconds {
            call.deadlineTimer = loop.scheduleTask(in: .milliseconds(Int64(timeout))) {
                call.abort(RPCError(.deadlineExceeded, "deadline of \(timeout) ms exceeded"))
            }
        }
    }

    private func resolveMethod(_ head: RequestHead) -> Int? {
        guard let name = head.methodName else { return boundMethods[head.methodRef] }
        let index = table.index(of: name)
        if let index, head.methodRef != 0 { boundMethods.bind(head.methodRef, to: index) }
        return index
    }

    // MARK: Authentication

    /// The transport verified a client certificate naming `name`.
    package func authenticate(certificateName name: String) {
        if gate.authenticate(certificateName: name) != nil { authenticated() }
    }

    private func authenticated() {
        _ = lifecycle.authenticated()
        authenticationTimer?.cancel()
    }

    private func deny(callID: UInt32, method index: Int) {
        let error = gate.denial(of: index)
        log.denied(path: table.entries[index].method.path, status: error.code, caller: gate.caller)
        writeResponse(callID: callID, head: ResponseHead(error), payload: nil)
        metrics?.callRefused(method: index, status: error.code)
    }

    /// Answers a call without running it, and counts it.
    func refuse(_ callID: UInt32, method index: Int?, _ error: RPCError) {
        writeResponse(callID: callID, head: ResponseHead(error), payload: nil)
        metrics?.callRefused(method: index, status: error.code)
        log.refused(
            path: index.map { table.entries[$0].method.path } ?? ServerMetrics.unknownMethod, callID: callID, status: error.code,
            message: error.message, caller: gate.caller)
    }

    /// A request's payload did not decode.
    func payloadRejected() { metrics?.frameRejected(.undecodable) }
}
