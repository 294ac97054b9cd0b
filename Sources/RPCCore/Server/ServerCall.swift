import NIOCore

/// One call in flight on a connection. Confined to the connection's event loop.
@usableFromInline
final class ServerCall: @unchecked Sendable {
    @usableFromInline let callID: UInt32
    /// The method's index in the connection's `MethodTable`.
    let method: Int
    @usableFromInline let context: ServerContext
    let isStreaming: Bool
    /// The request's `request-id`, echoed in the response.
    let requestID: String?
    /// The request's W3C `traceparent`, for the logs.
    let traceParent: String?
    /// When the request was read.
    let startedAt: NIODeadline
    private let connection: ServerConnection
    private(set) var isFinished = false
    /// Whether the connection tracks the call (it suspended), so it must be forgotten at the end.
    var isTracked = false
    /// Whether its end is logged with the caller: it may change state and callers are authenticated.
    var isAudited = false
    var task: Task<Void, Never>?
    var deadlineTimer: Scheduled<Void>?

    init(
        callID: UInt32, method: Int, context: ServerContext, isStreaming: Bool, requestID: String?, traceParent: String?,
        startedAt: NIODeadline, connection: ServerConnection
    ) {
        self.callID = callID
        self.method = method
        self.context = context
        self.isStreaming = isStreaming
        self.requestID = requestID
        self.traceParent = traceParent
        self.startedAt = startedAt
        self.connection = connection
    }

    /// Ends a unary call with OK and `response` in one frame, written in one run of
    /// bytes, or with RESOURCE_EXHAUSTED when it is too large to encode. Every unary
    /// response goes this way. Inlinable, so the message is packed by code
    /// specialised for it where the handler is registered, not through its witness table.
    @inlinable
    func respond(_ response: some PackedEncoding) {
        respond { head, buffer throws(RPCError) in try head.writeFrame(callID: callID, into: &buffer, packing: response) }
    }

    /// Ends a unary call with OK and the RESPONSE frame `writeFrame` appends for the OK head.
    @usableFromInline
    func respond(writingFrame writeFrame: (ResponseHead, inout ByteBuffer) throws(RPCError) -> Void) {
        guard begin() else { return }
        let head = ResponseHead(status: .ok, metadata: echoedMetadata)
        connection.writeResponse(callID: callID) { buffer throws(RPCError) in try writeFrame(head, &buffer) }
        connection.callEnded(self, status: .ok)
    }

    /// Ends the call with `error`'s status, or OK for a stream when `error` is nil.
    @usableFromInline
    func finish(_ error: RPCError?) {
        guard begin() else { return }
        let head = ResponseHead(status: error?.code ?? .ok, message: error?.message ?? "", metadata: echoedMetadata)
        connection.writeResponse(callID: callID, head: head, payload: nil)
        connection.callEnded(self, status: head.status)
    }

    /// Queues `message`; true when the connection's buffer was flushed.
    func send<Message: WireMessage>(_ message: Message) throws(RPCError) -> Bool {
        connection.loop.preconditionInEventLoop()
        guard !isFinished else { throw RPCError(.cancelled, "the call has ended") }
        if let overflow = connection.outboundOverflow() {
            let error = RPCError(.resourceExhausted, "the client reads too slowly: \(overflow) bytes are waiting to be sent; resume from the last sequence received")
            finish(error)
            throw error
        }
        do {
            return try connection.writeStreamMessage(callID: callID, message)
        } catch {
            finish(error)
            throw error
        }
    }

    /// Marks the call finished; false if it already was (a late result after a deadline or cancel).
    private func begin() -> Bool {
        connection.loop.preconditionInEventLoop()
        guard !isFinished else { return false }
        isFinished = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        return true
    }

    /// The request's payload did not decode; the handler ends the call with the error.
    @usableFromInline
    func payloadRejected() { connection.payloadRejected() }

    /// Ends the call from outside the handler (deadline, cancel, close) and stops its work.
    func abort(_ error: RPCError) {
        finish(error)
        task?.cancel()
    }

    private var echoedMetadata: Metadata {
        guard let requestID else { return Metadata() }
        return [Metadata.requestIDKey: requestID]
    }
}
