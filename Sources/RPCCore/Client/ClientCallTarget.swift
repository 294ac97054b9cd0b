import NIOCore

/// What an `RPCConnection` sends its calls through, on the target's event loop:
/// one `ClientConnection`, or a `ClientChannel` balancing several.
package protocol ClientCallTarget: AnyObject {
    var loop: any EventLoop { get }
    /// Starts a call; `listener` hears its messages, then `.end`. Returns an id for `cancel`.
    func startCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions,
        listener: @escaping (ClientCallEvent) -> Void
    ) -> UInt64
    /// Ends the call now with `error`, and tells the server.
    func cancel(call: UInt64, _ error: RPCError)
    var byteCounts: (sent: Int, received: Int) { get }
    var statistics: ClientStatistics { get }
    func close()
}

extension ClientConnection: ClientCallTarget {
    /// One connection, no retries: a call that did not run ends UNAVAILABLE like one that did.
    package func startCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions,
        listener: @escaping (ClientCallEvent) -> Void
    ) -> UInt64 {
        var deadline: Scheduled<Void>?
        let timeout = options.timeoutMilliseconds
        let callID = startCall(path: method.path, request: request, timeoutMilliseconds: timeout, metadata: options.metadata) { event in
            switch event {
            case .call(let event):
                if case .end = event { deadline?.cancel() }
                listener(event)
            case .notRun(let error):
                deadline?.cancel()
                listener(.end(ResponseHead(error), payload: ByteBuffer()))
            }
        }
        if let timeout {
            deadline = loop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(timeout))) { [self] in
                cancel(callID: callID, RPCError(.deadlineExceeded, "no response within \(timeout) ms"))
            }
        }
        return UInt64(callID)
    }

    package func cancel(call: UInt64, _ error: RPCError) {
        cancel(callID: UInt32(truncatingIfNeeded: call), error)
    }

    package var byteCounts: (sent: Int, received: Int) { (bytesSent, bytesReceived) }

    package var statistics: ClientStatistics {
        var statistics = ClientStatistics()
        statistics.keepaliveTimeouts = keepaliveTimeouts
        return statistics
    }
}
