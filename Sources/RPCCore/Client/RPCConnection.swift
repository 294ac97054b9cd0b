import NIOCore

/// A client's way to a service; any number of tasks may call through it at once.
///
/// Calls are pipelined and multiplexed, and their responses may come back in any
/// order. A call with a timeout ends with DEADLINE_EXCEEDED when it passes,
/// whether or not the server answers; cancelling the calling task sends a CANCEL
/// and ends the call with CANCELLED.
///
/// What is behind it depends on how it was made. Over one connection
/// (`connect(host:port:)`, `InProcessTransport.connect()`), once the connection is
/// lost every call in flight and every later call fails with UNAVAILABLE. Over a
/// list of endpoints (`connect(endpoints:configuration:)` in RPCTransportNIO),
/// calls are balanced over one connection per endpoint, lost connections are made
/// again, and calls are retried where that is safe: see `ClientChannel`.
public final class RPCConnection: Sendable {
    private let target: NIOLoopBound<any ClientCallTarget>
    private let closeTransport: @Sendable () async -> Void

    /// The loop the connection lives on; `startCall` must be called on it.
    public let eventLoop: any EventLoop

    /// For transports, on `target`'s loop: wraps `target`, which they feed and close.
    package init(target: any ClientCallTarget, closeTransport: @escaping @Sendable () async -> Void) {
        self.eventLoop = target.loop
        self.target = NIOLoopBound(target, eventLoop: target.loop)
        self.closeTransport = closeTransport
    }

    /// Calls a unary method and returns its response.
    /// - Throws: `RPCError` with the server's status, or the client's own
    ///   DEADLINE_EXCEEDED, CANCELLED or UNAVAILABLE, or INTERNAL when the
    ///   response does not decode as `Response`.
    public func unary<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        let call = PendingCall()
        let result: Result<ByteBuffer, RPCError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(method, request, options, call) { event in
                    if case .end(let head, let payload) = event {
                        continuation.resume(returning: head.status == .ok ? .success(payload) : .failure(RPCError(head.status, head.message)))
                    }
                }
            }
        } onCancel: {
            cancel(call)
        }
        let payload = try result.get()
        do throws(WireError) {
            return try Response(decoding: payload)
        } catch {
            throw RPCError(.internal, "response to \(method.path) does not decode: \(error)")
        }
    }

    /// Calls a server-streaming method. The stream ends when the server ends the
    /// call with OK, and throws `RPCError` for any other status.
    /// Ending the iteration early cancels the call.
    public func serverStreaming<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) -> AsyncThrowingStream<Response, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Response, any Error>.makeStream()
        let call = PendingCall()
        start(method, request, options, call) { event in
            switch event {
            case .message(let payload):
                do {
                    continuation.yield(try Response(decoding: payload))
                } catch {
                    continuation.finish(throwing: RPCError(.internal, "stream message of \(method.path) does not decode: \(error)"))
                }
            case .end(let head, _):
                continuation.finish(throwing: head.status == .ok ? nil : RPCError(head.status, head.message))
            }
        }
        continuation.onTermination = { [self] _ in cancel(call) }
        return stream
    }

    /// Closes the connection (every connection, for a list of endpoints); calls in flight fail with UNAVAILABLE.
    public func close() async {
        await closeTransport()
    }

    // MARK: For load generators: callbacks on the event loop, no tasks.

    /// Starts a call from the connection's event loop; `listener` runs on the loop.
    public func startCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions(),
        listener: @escaping (ClientCallEvent) -> Void
    ) {
        _ = target.value.startCall(method, request, options: options, listener: listener)
    }

    /// Bytes sent and received so far; call on the event loop.
    public var byteCounts: (sent: Int, received: Int) {
        target.value.byteCounts
    }

    /// Reconnects, retries and keepalive timeouts so far; call on the event loop.
    public var statistics: ClientStatistics {
        target.value.statistics
    }

    // MARK: Internals

    /// A call's id, shared between its start and a cancellation that may race it.
    private final class PendingCall: @unchecked Sendable {
        var id: UInt64?
        var cancelled = false
    }

    private func start<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, _ options: CallOptions, _ call: PendingCall,
        listener: @escaping @Sendable (ClientCallEvent) -> Void
    ) {
        let target = self.target
        eventLoop.execute {
            guard !call.cancelled else {
                listener(.end(ResponseHead(status: .cancelled, message: "cancelled by the caller"), payload: ByteBuffer()))
                return
            }
            call.id = target.value.startCall(method, request, options: options, listener: listener)
        }
    }

    private func cancel(_ call: PendingCall) {
        let target = self.target
        eventLoop.execute {
            call.cancelled = true
            if let id = call.id { target.value.cancel(call: id, RPCError(.cancelled, "cancelled by the caller")) }
        }
    }
}
