import NIOCore
import NIOPosix
import TeamsWire

/// One client connection; any number of tasks may call through it at once.
///
/// Calls are pipelined and multiplexed by call id, and their responses may come
/// back in any order. A call with a timeout ends with DEADLINE_EXCEEDED when it
/// passes, whether or not the server answers; cancelling the calling task sends a
/// CANCEL and ends the call with CANCELLED. Once the connection is lost, every
/// call in flight and every later call fails with UNAVAILABLE.
public final class RPCConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<ClientConnectionHandler>

    /// The loop the connection lives on; `startCall` must be called on it.
    public var eventLoop: any EventLoop { channel.eventLoop }

    private init(channel: any Channel, handler: NIOLoopBound<ClientConnectionHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects to `host:port`.
    /// - Throws: `RPCError(.unavailable)` naming the address and the cause.
    public static func connect(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: Duration = .seconds(5)) async throws(RPCError) -> RPCConnection {
        do {
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.milliseconds(connectTimeout.components.seconds * 1000 + connectTimeout.components.attoseconds / 1_000_000_000_000_000))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(loop: channel.eventLoop))
                    }
                }
                .connect(host: host, port: port)
                .get()
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self), eventLoop: channel.eventLoop)
            }.get()
            return RPCConnection(channel: channel, handler: handler)
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
    }

    /// Calls a unary method and returns its response.
    /// - Throws: `RPCError` with the server's status, or the client's own
    ///   DEADLINE_EXCEEDED, CANCELLED or UNAVAILABLE, or INTERNAL when the
    ///   response does not decode as `Response`.
    public func unary<Request: WireMessage, Response: WireMessage>(
        _ path: String, _ request: Request, as _: Response.Type = Response.self, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        let call = PendingCall()
        let result: Result<ByteBuffer, RPCError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                start(path, request, options, call) { event in
                    if case .end(let head, let payload) = event {
                        continuation.resume(returning: head.status == .ok ? .success(payload) : .failure(RPCError(head.status, head.message)))
                    }
                }
            }
        } onCancel: {
            cancel(call)
        }
        do {
            return try Response(decoding: try result.get())
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internal, "response to \(path) does not decode: \(error)")
        }
    }

    /// Calls a server-streaming method. The stream ends when the server ends the
    /// call with OK, and throws `RPCError` for any other status.
    /// Ending the iteration early cancels the call.
    public func serverStreaming<Request: WireMessage, Response: WireMessage>(
        _ path: String, _ request: Request, as _: Response.Type = Response.self, options: CallOptions = CallOptions()
    ) -> AsyncThrowingStream<Response, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Response, any Error>.makeStream()
        let call = PendingCall()
        start(path, request, options, call) { event in
            switch event {
            case .message(let payload):
                do {
                    continuation.yield(try Response(decoding: payload))
                } catch {
                    continuation.finish(throwing: RPCError(.internal, "stream message of \(path) does not decode: \(error)"))
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
        try? await channel.close()
    }

    // MARK: For load generators: callbacks on the event loop, no tasks.

    /// Starts a call from the connection's event loop; `listener` runs on the loop.
    public func startCall(_ path: String, _ request: some WireMessage, options: CallOptions = CallOptions(), listener: @escaping (ClientCallEvent) -> Void) {
        handler.value.startCall(path: path, request: request, timeoutMilliseconds: options.timeoutMilliseconds, metadata: options.metadata, listener: listener)
    }

    /// Bytes sent and received so far; call on the event loop.
    public var byteCounts: (sent: Int, received: Int) {
        (handler.value.bytesSent, handler.value.bytesReceived)
    }

    // MARK: Internals

    /// A call's id, shared between its start and a cancellation that may race it.
    private final class PendingCall: @unchecked Sendable {
        var callID: UInt32?
        var cancelled = false
        var deadline: Scheduled<Void>?
    }

    private func start<Request: WireMessage>(_ path: String, _ request: Request, _ options: CallOptions, _ call: PendingCall, listener: @escaping @Sendable (ClientCallEvent) -> Void) {
        let handler = self.handler
        channel.eventLoop.execute {
            guard !call.cancelled else {
                listener(.end(ResponseHead(status: .cancelled, message: "cancelled by the caller"), payload: ByteBuffer()))
                return
            }
            let timeout = options.timeoutMilliseconds
            let callID = handler.value.startCall(path: path, request: request, timeoutMilliseconds: timeout, metadata: options.metadata) { event in
                if case .end = event { call.deadline?.cancel() }
                listener(event)
            }
            call.callID = callID
            if let timeout {
                call.deadline = handler.value.loop.scheduleTask(in: .milliseconds(Int64(timeout))) {
                    handler.value.cancel(callID: callID, RPCError(.deadlineExceeded, "no response within \(timeout) ms"))
                }
            }
        }
    }

    private func cancel(_ call: PendingCall) {
        let handler = self.handler
        channel.eventLoop.execute {
            call.cancelled = true
            if let callID = call.callID { handler.value.cancel(callID: callID) }
        }
    }
}
