import NIOCore

/// One client connection; any number of tasks may call through it at once.
///
/// Calls are pipelined and multiplexed by call id, and their responses may come
/// back in any order. A call with a timeout ends with DEADLINE_EXCEEDED when it
/// passes, whether or not the server answers; cancelling the calling task sends a
/// CANCEL and ends the call with CANCELLED. Once the connection is lost, every
/// call in flight and every later call fails with UNAVAILABLE.
///
/// A transport makes these: `RPCConnection.connect(host:port:)` in RPCTransportNIO
/// over TCP, `InProcessTransport.connect()` without a network.
public final class RPCConnection: Sendable {
    private let connection: NIOLoopBound<ClientConnection>
    private let closeTransport: @Sendable () async -> Void

    /// The loop the connection lives on; `startCall` must be called on it.
    public let eventLoop: any EventLoop

    /// For transports: wraps `connection`, which they feed and close.
    package init(connection: ClientConnection, closeTransport: @escaping @Sendable () async -> Void) {
        self.eventLoop = connection.loop
        self.connection = NIOLoopBound(connection, eventLoop: connection.loop)
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
                start(method.path, request, options, call) { event in
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
        start(method.path, request, options, call) { event in
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

    /// Closes the connection; calls in flight fail with UNAVAILABLE.
    public func close() async {
        await closeTransport()
    }

    // MARK: For load generators: callbacks on the event loop, no tasks.

    /// Starts a call from the connection's event loop; `listener` runs on the loop.
    public func startCall<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, options: CallOptions = CallOptions(),
        listener: @escaping (ClientCallEvent) -> Void
    ) {
        connection.value.startCall(path: method.path, request: request, timeoutMilliseconds: options.timeoutMilliseconds, metadata: options.metadata, listener: listener)
    }

    /// Bytes sent and received so far; call on the event loop.
    public var byteCounts: (sent: Int, received: Int) {
        (connection.value.bytesSent, connection.value.bytesReceived)
    }

    // MARK: Internals

    /// A call's id, shared between its start and a cancellation that may race it.
    private final class PendingCall: @unchecked Sendable {
        var callID: UInt32?
        var cancelled = false
        var deadline: Scheduled<Void>?
    }

    private func start<Request: WireMessage>(_ path: String, _ request: Request, _ options: CallOptions, _ call: PendingCall, listener: @escaping @Sendable (ClientCallEvent) -> Void) {
        let connection = self.connection
        eventLoop.execute {
            guard !call.cancelled else {
                listener(.end(ResponseHead(status: .cancelled, message: "cancelled by the caller"), payload: ByteBuffer()))
                return
            }
            let timeout = options.timeoutMilliseconds
            let callID = connection.value.startCall(path: path, request: request, timeoutMilliseconds: timeout, metadata: options.metadata) { event in
                if case .end = event { call.deadline?.cancel() }
                listener(event)
            }
            call.callID = callID
            if let timeout {
                call.deadline = connection.value.loop.scheduleTask(in: .milliseconds(Int64(timeout))) {
                    connection.value.cancel(callID: callID, RPCError(.deadlineExceeded, "no response within \(timeout) ms"))
                }
            }
        }
    }

    private func cancel(_ call: PendingCall) {
        let connection = self.connection
        eventLoop.execute {
            call.cancelled = true
            if let callID = call.callID { connection.value.cancel(callID: callID) }
        }
    }
}
