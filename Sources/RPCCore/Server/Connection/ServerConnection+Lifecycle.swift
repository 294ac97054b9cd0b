import NIOCore

/// The connection's end: calls ending, a drain, a GOAWAY for bad input or a broken
/// limit, and the transport closing, as `ConnectionLifecycle` orders them.
extension ServerConnection {
    /// A call ended with `status`: counted, and logged as `AccessLog` says.
    func callEnded(_ call: ServerCall, status: StatusCode) {
        calls.remove(call)
        metrics?.callEnded(method: call.method, status: status, start: call.startedAt, wasInFlight: call.isTracked)
        log.ended(call, status: status, caller: gate.caller)
        if lifecycle.state == .draining, calls.isEmpty { closeWhenFlushed() }
    }

    /// The server is shutting down. A GOAWAY tells the client the last call that
    /// will run; later requests get UNAVAILABLE unrun; streams end now with
    /// UNAVAILABLE; unary calls in flight finish, for up to the drain timeout,
    /// after which they are answered UNAVAILABLE. Then the connection closes.
    package func quiesce() {
        guard lifecycle.drain() else { return }
        let lastCallID = calls.lastAcceptedCallID
        output.append { writeGoAwayFrame(RPCError(.unavailable, "the server is shutting down"), lastCallID: lastCallID, into: &$0) }
        outputWritten()
        for call in calls.all where call.isStreaming {
            call.abort(RPCError(.unavailable, "the server is shutting down; resume from the last sequence received"))
        }
        guard !calls.isEmpty else { return closeWhenFlushed() }
        let timeout = limits.drainTimeout
        drainTimer = loop.assumeIsolated().scheduleTask(in: timeout) {
            for call in self.calls.all {
                call.abort(RPCError(.unavailable, "the drain timeout of \(timeout) passed; the call may or may not have run"))
            }
        }
    }

    /// The transport has closed: calls in flight are cancelled and nothing more is written.
    package func closed() {
        _ = lifecycle.close()
        housekeeping?.cancel()
        drainTimer?.cancel()
        authenticationTimer?.cancel()
        for call in calls.removeAll() { call.abort(RPCError(.cancelled, "the connection closed")) }
        sink = nil
    }

    /// Looks at the watchdog every `checkInterval`, with one timer per connection.
    func scheduleHousekeeping() {
        guard let interval = watchdog.checkInterval else { return }
        housekeeping = loop.assumeIsolated().scheduleTask(in: interval) {
            guard self.sink != nil else { return }
            if let violation = self.watchdog.violation(at: .now(), callsInFlight: !self.calls.isEmpty) {
                self.goAway(violation.error, reason: violation.reason, rejection: violation.rejection)
            } else {
                self.scheduleHousekeeping()
            }
        }
    }

    /// Sends a GOAWAY naming the last call accepted, and closes once it is written.
    /// - Parameter rejection: how metrics count it, when the peer is to blame; the log
    ///   line is then rate-limited (one line per close, a refused authentication included).
    func goAway(_ error: RPCError, reason: String, rejection: ServerMetrics.ConnectionRejection? = nil) {
        if let rejection { metrics?.connectionRejected(rejection) }
        log.closing(error, reason: reason, peerToBlame: rejection != nil, notice: rejection == .auth)
        _ = lifecycle.drain()
        let lastCallID = calls.lastAcceptedCallID
        output.append { writeGoAwayFrame(error, lastCallID: lastCallID, into: &$0) }
        closeWhenFlushed()
    }

    func closeWhenFlushed() {
        guard let sink else { return }
        sink.close(after: output.take() ?? ByteBuffer())
    }
}
