import NIOCore

/// A client's calls balanced over one connection per endpoint, with connections
/// kept up and calls retried where that is safe. Confined to one event loop.
///
/// - **Picking.** A call goes to the ready connection with the fewest calls in flight.
///   While none is ready it waits, up to its deadline, as long as some endpoint may
///   still answer. Once every endpoint's last connection attempt failed, a call fails
///   at once with UNAVAILABLE naming why (gRPC's fail-fast), unless it waits for ready
///   (`CallOptions.waitForReady`).
/// - **Reconnecting.** An endpoint that cannot be reached is tried again after
///   `connectionBackoff`; a connection that was lost or drained (GOAWAY) is replaced at once.
/// - **Retrying.** A call that never ran (unsent, or above a GOAWAY's last call id)
///   is sent again on another connection until its deadline. A call that ended
///   UNAVAILABLE is sent again, after `retryBackoff` and while `retryThrottle` allows,
///   only if it is safe to run twice (`CallOptions.isIdempotent`, else the method's
///   idempotency). Other calls whose outcome is unknown fail: running a mutation twice
///   could add a player twice, or report ALREADY_EXISTS for the caller's own success.
package final class ClientChannel {
    /// Joins `connection` to a new transport connection to `endpoint`; fails when it cannot.
    package typealias Connector = (Endpoint, ClientConnection) -> EventLoopFuture<Void>

    package let loop: any EventLoop
    private let configuration: ClientConfiguration
    private let connector: Connector
    private let subchannels: [Subchannel]
    private var calls: [UInt64: ChannelCall] = [:]
    private var waiting: [ChannelCall] = []
    private var nextCallID: UInt64 = 1
    private var throttle: RetryThrottle
    private var isClosed = false
    private var pickStart = 0
    private var stats = ClientStatistics()
    /// Bytes of connections that have closed.
    private var closedBytes = (sent: 0, received: 0)
    /// Calls on the default deadline, in start order, so in deadline order: one timer
    /// serves them all instead of one per call.
    private var defaultDeadlines = CircularBuffer<ChannelCall>()
    private var defaultDeadlineTimer: Scheduled<Void>?

    /// Starts connecting to every endpoint; call on `loop`.
    package init(endpoints: [Endpoint], configuration: ClientConfiguration, loop: any EventLoop, connector: @escaping Connector) {
        precondition(!endpoints.isEmpty, "a client needs at least one endpoint")
        loop.preconditionInEventLoop()
        self.loop = loop
        self.configuration = configuration
        self.connector = connector
        self.throttle = configuration.retryThrottle
        self.subchannels = endpoints.map(Subchannel.init(endpoint:))
        for subchannel in subchannels { connect(subchannel) }
    }

    // MARK: Calls

    package func startCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions,
        listener: @escaping (ClientCallEvent) -> Void
    ) -> UInt64 {
        let id = nextCallID
        nextCallID += 1
        var encoded = ByteBuffer()
        do throws(WireError) {
            try request.encode(into: &encoded)
        } catch {
            listener(.end(ResponseHead(status: .resourceExhausted, message: "the request cannot be encoded: \(error)"), payload: ByteBuffer()))
            return id
        }
        let now = NIODeadline.now()
        // A unary call without a timeout gets the default, kept by the client alone:
        // it goes on the wire (and costs the server a timer) only when the caller set it.
        let usesDefault = options.timeout == nil && method.kind == .unary
        let timeout = options.timeout ?? (usesDefault ? configuration.defaultTimeout : nil)
        let call = ChannelCall(
            id: id, path: method.path, request: RawMessage(bytes: encoded), metadata: options.metadata,
            deadline: timeout.map { now + TimeAmount($0) }, sendsDeadline: !usesDefault,
            readyBy: now + TimeAmount(timeout ?? configuration.defaultTimeout),
            isRetryable: options.isIdempotent ?? method.idempotency.isSafeToRetry, waitsForReady: options.waitForReady, listener: listener)
        calls[id] = call
        if usesDefault {
            defaultDeadlines.append(call)
            if defaultDeadlineTimer == nil { scheduleDefaultDeadlines() }
        } else if let deadline = call.deadline {
            arm(call, at: deadline)
        }
        dispatch(call)
        return id
    }

    /// Expires the calls at the head of `defaultDeadlines` whose deadline has passed.
    private func scheduleDefaultDeadlines() {
        while let first = defaultDeadlines.first, first.isFinished { defaultDeadlines.removeFirst() }
        guard let first = defaultDeadlines.first, let deadline = first.deadline else {
            defaultDeadlineTimer = nil
            return
        }
        defaultDeadlineTimer = loop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self else { return }
            let now = NIODeadline.now()
            while let first = defaultDeadlines.first, first.isFinished || first.deadline.map({ $0 <= now }) ?? true {
                defaultDeadlines.removeFirst()
                expire(first)
            }
            scheduleDefaultDeadlines()
        }
    }

    package func cancel(call id: UInt64, _ error: RPCError) {
        guard let call = calls[id] else { return }
        let current = call.current
        finish(call, .end(ResponseHead(error), payload: ByteBuffer()))
        if let (connection, callID) = current { connection.cancel(callID: callID, error) }
    }

    /// Sends `call` on the least loaded ready connection, or queues it until one is ready.
    private func dispatch(_ call: ChannelCall) {
        guard !call.isFinished else { return }
        guard !isClosed else {
            return finish(call, .end(ResponseHead(status: .unavailable, message: "the client was closed"), payload: ByteBuffer()))
        }
        guard let connection = pick() else {
            if !call.waitsForReady, isUnreachable, let reason = unreachableReason() {
                return finish(call, .end(ResponseHead(reason), payload: ByteBuffer()))
            }
            if !call.isWaiting {
                call.isWaiting = true
                waiting.append(call)
            }
            if call.timer == nil, call.deadline == nil { arm(call, at: call.readyBy) }
            return
        }
        var timeoutMilliseconds: UInt32?
        if let deadline = call.deadline {
            let remaining = (deadline - .now()).nanoseconds
            guard remaining > 0 else { return expire(call) }
            if call.sendsDeadline { timeoutMilliseconds = UInt32(clamping: (remaining + 999_999) / 1_000_000) }
        } else if call.timer != nil {
            // A stream waited for a ready connection; from now on it lasts as long as the caller wants.
            call.timer?.cancel()
            call.timer = nil
        }
        let callID = connection.startCall(path: call.path, request: call.request, timeoutMilliseconds: timeoutMilliseconds, metadata: call.metadata) { event in
            // Strong: the connection drops the listener when the call ends.
            self.handle(event, of: call)
        }
        if !call.isFinished { call.current = (connection, callID) }
    }

    private func pick() -> ClientConnection? {
        if subchannels.count == 1 {
            guard let connection = subchannels[0].connection, connection.isUsable else { return nil }
            return connection
        }
        var best: ClientConnection?
        var bestLoad = Int.max
        for offset in 0..<subchannels.count {
            let subchannel = subchannels[(pickStart + offset) % subchannels.count]
            guard let connection = subchannel.connection, connection.isUsable else { continue }
            let load = connection.callsInFlight
            if load < bestLoad {
                best = connection
                bestLoad = load
            }
        }
        // Ties go round the endpoints.
        pickStart = pickStart == subchannels.count - 1 ? 0 : pickStart + 1
        return best
    }

    private func handle(_ event: ClientConnection.Event, of call: ChannelCall) {
        guard !call.isFinished else { return }
        switch event {
        case .call(.message(let bytes)):
            call.receivedMessage = true
            call.listener(.message(bytes))
        case .notRun(let error):
            call.current = nil
            call.transparentRetries += 1
            stats.transparentRetries += 1
            guard call.transparentRetries <= Self.transparentRetryLimit else {
                return finish(call, .end(ResponseHead(error), payload: ByteBuffer()))
            }
            dispatch(call)
        case .call(.end(let head, let payload)):
            call.current = nil
            if head.status == .unavailable {
                let throttleAllows = throttle.recordFailure()
                if call.isRetryable, !call.receivedMessage, throttleAllows, call.attempt + 1 < configuration.maximumAttempts {
                    return retry(call)
                }
            } else {
                throttle.recordSuccess()
            }
            finish(call, .end(head, payload: payload))
        }
    }

    /// Guards against a connection that keeps refusing calls while it looks usable.
    private static let transparentRetryLimit = 16

    private func retry(_ call: ChannelCall) {
        let delay = configuration.retryBackoff.delay(forAttempt: call.attempt)
        call.attempt += 1
        stats.retries += 1
        call.retryTimer = loop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [weak self] in
            call.retryTimer = nil
            self?.dispatch(call)
        }
    }

    private func arm(_ call: ChannelCall, at deadline: NIODeadline) {
        call.timer = loop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            call.timer = nil
            self?.expire(call)
        }
    }

    /// The deadline passed (or, for a stream, the wait for a ready connection).
    private func expire(_ call: ChannelCall) {
        guard !call.isFinished else { return }
        let error: RPCError
        if call.isWaiting || call.retryTimer != nil, let reason = unreachableReason() {
            error = reason
        } else {
            error = RPCError(.deadlineExceeded, "no response within the call's deadline")
        }
        let current = call.current
        finish(call, .end(ResponseHead(error), payload: ByteBuffer()))
        if let (connection, callID) = current { connection.cancel(callID: callID, error) }
    }

    /// No connection is ready and every endpoint's last attempt failed: gRPC's
    /// TRANSIENT_FAILURE, which lasts until a connection is made.
    private var isUnreachable: Bool {
        subchannels.allSatisfy { $0.connection == nil && $0.failedAttempts > 0 }
    }

    /// Fails the waiting calls that do not wait for ready, once no endpoint can be reached.
    private func failFastWaiting() {
        guard isUnreachable, let reason = unreachableReason() else { return }
        for call in waiting where !call.waitsForReady {
            finish(call, .end(ResponseHead(reason), payload: ByteBuffer()))
        }
    }

    /// Why no connection is ready, naming each endpoint's last failure.
    private func unreachableReason() -> RPCError? {
        let failures = subchannels.compactMap(\.lastError)
        guard !failures.isEmpty else { return nil }
        return RPCError(.unavailable, failures.map(\.message).joined(separator: "; "))
    }

    private func finish(_ call: ChannelCall, _ event: ClientCallEvent) {
        guard !call.isFinished else { return }
        call.isFinished = true
        call.timer?.cancel()
        call.retryTimer?.cancel()
        calls[call.id] = nil
        // Calls mostly end in the order they started, so this keeps the queue to those in flight.
        while let first = defaultDeadlines.first, first.isFinished { defaultDeadlines.removeFirst() }
        if call.isWaiting {
            call.isWaiting = false
            waiting.removeAll { $0 === call }
        }
        call.listener(event)
    }

    private func dispatchWaiting() {
        guard !waiting.isEmpty else { return }
        let ready = waiting
        waiting = []
        for call in ready {
            call.isWaiting = false
            dispatch(call)
        }
    }

    // MARK: Connections

    private func connect(_ subchannel: Subchannel) {
        guard !isClosed, !subchannel.isConnecting, subchannel.connection == nil else { return }
        subchannel.isConnecting = true
        subchannel.reconnectTimer = nil
        let keepalive = configuration.keepalive.map { ClientConnection.Keepalive(interval: TimeAmount($0.interval), timeout: TimeAmount($0.timeout)) }
        let connection = ClientConnection(
            loop: loop, keepalive: keepalive, authToken: configuration.authToken.map { Array($0.utf8) },
            maximumResponseFrameLength: configuration.maximumResponseFrameLength)
        connection.onGoAway = { [weak self, unowned connection] goAway in
            guard let self else { return }
            if goAway.error.code == .unavailable {
                replace(connection, of: subchannel)
            } else if subchannel.connection === connection {
                // Refused, not drained: coming straight back would be refused again.
                subchannel.connection = nil
                subchannel.lastError = RPCError(goAway.error.code, "\(subchannel.endpoint): \(goAway.error.message)")
                scheduleReconnect(subchannel)
            }
        }
        connection.onClose = { [weak self] error in
            guard let self else { return }
            closedBytes.sent += connection.bytesSent
            closedBytes.received += connection.bytesReceived
            stats.keepaliveTimeouts += connection.keepaliveTimeouts
            subchannel.live.removeAll { $0 === connection }
            if subchannel.connection === connection { subchannel.lastError = RPCError(.unavailable, "\(subchannel.endpoint): \(error.message)") }
            if connection.foreignProtocol != nil, subchannel.connection === connection {
                // The wrong kind of port: a failed attempt, retried with backoff, and calls that do not wait for ready fail now.
                subchannel.connection = nil
                scheduleReconnect(subchannel)
                return failFastWaiting()
            }
            replace(connection, of: subchannel)
        }
        subchannel.live.append(connection)
        connector(subchannel.endpoint, connection).hop(to: loop).assumeIsolated().whenComplete { [weak self] result in
            guard let self else { return connection.close() }
            subchannel.isConnecting = false
            switch result {
            case .success where connection.isUsable && !isClosed:
                subchannel.connection = connection
                subchannel.lastError = nil
                if subchannel.hasConnected { stats.reconnects += 1 }
                subchannel.hasConnected = true
                subchannel.failedAttempts = 0
                dispatchWaiting()
            case .success:
                connection.close()
                scheduleReconnect(subchannel)
            case .failure(let error):
                subchannel.live.removeAll { $0 === connection }
                subchannel.lastError = (error as? RPCError) ?? RPCError(.unavailable, "could not connect to \(subchannel.endpoint): \(error)")
                scheduleReconnect(subchannel)
                failFastWaiting()
            }
        }
    }

    /// A ready connection is draining or gone: new calls stop going to it, and a new one is made at once.
    private func replace(_ connection: ClientConnection, of subchannel: Subchannel) {
        guard subchannel.connection === connection else { return }
        subchannel.connection = nil
        connect(subchannel)
    }

    private func scheduleReconnect(_ subchannel: Subchannel) {
        guard !isClosed, subchannel.reconnectTimer == nil else { return }
        let delay = configuration.connectionBackoff.delay(forAttempt: subchannel.failedAttempts)
        subchannel.failedAttempts += 1
        subchannel.reconnectTimer = loop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [weak self] in
            subchannel.reconnectTimer = nil
            self?.connect(subchannel)
        }
    }

    package var byteCounts: (sent: Int, received: Int) {
        subchannels.flatMap(\.live).reduce(closedBytes) { ($0.sent + $1.bytesSent, $0.received + $1.bytesReceived) }
    }

    package var statistics: ClientStatistics {
        var total = stats
        for connection in subchannels.flatMap(\.live) { total.keepaliveTimeouts += connection.keepaliveTimeouts }
        return total
    }

    /// Stops reconnecting and closes every connection; calls in flight and waiting end UNAVAILABLE.
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        for subchannel in subchannels {
            subchannel.reconnectTimer?.cancel()
            subchannel.reconnectTimer = nil
            for connection in subchannel.live { connection.close() }
        }
        for call in Array(calls.values) {
            finish(call, .end(ResponseHead(status: .unavailable, message: "the client was closed"), payload: ByteBuffer()))
        }
    }
}

extension ClientChannel: ClientCallTarget {}

/// One endpoint's connections: the one new calls go to, and any still draining.
private final class Subchannel {
    let endpoint: Endpoint
    /// Ready for new calls; nil while connecting, backing off or replacing a drained one.
    var connection: ClientConnection?
    /// Every connection not yet closed, draining ones included.
    var live: [ClientConnection] = []
    var isConnecting = false
    var hasConnected = false
    var failedAttempts = 0
    var reconnectTimer: Scheduled<Void>?
    var lastError: RPCError?

    init(endpoint: Endpoint) { self.endpoint = endpoint }
}

/// A call across its attempts.
private final class ChannelCall {
    let id: UInt64
    let path: String
    let request: RawMessage
    let metadata: Metadata
    /// When the call fails DEADLINE_EXCEEDED; nil for a stream.
    let deadline: NIODeadline?
    /// Whether the server is told the deadline (the caller set it), or the client keeps it alone.
    let sendsDeadline: Bool
    /// How long the call may wait for a ready connection.
    let readyBy: NIODeadline
    let isRetryable: Bool
    /// Waits for a ready connection up to its deadline even when no endpoint can be reached.
    let waitsForReady: Bool
    let listener: (ClientCallEvent) -> Void
    var attempt = 0
    var transparentRetries = 0
    var current: (ClientConnection, UInt32)?
    var timer: Scheduled<Void>?
    var retryTimer: Scheduled<Void>?
    var receivedMessage = false
    var isWaiting = false
    var isFinished = false

    init(
        id: UInt64, path: String, request: RawMessage, metadata: Metadata, deadline: NIODeadline?, sendsDeadline: Bool,
        readyBy: NIODeadline, isRetryable: Bool, waitsForReady: Bool, listener: @escaping (ClientCallEvent) -> Void
    ) {
        self.id = id
        self.path = path
        self.request = request
        self.metadata = metadata
        self.deadline = deadline
        self.sendsDeadline = sendsDeadline
        self.readyBy = readyBy
        self.isRetryable = isRetryable
        self.waitsForReady = waitsForReady
        self.listener = listener
    }
}
