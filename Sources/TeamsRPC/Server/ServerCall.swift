import NIOCore
import TeamsWire

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The full method name, e.g. `/teams.v1.TeamService/GetTeam`.
    public let path: String
    public let metadata: Metadata
    /// When the caller stops waiting, if it said.
    public let deadline: ContinuousClock.Instant?
}

/// The sending half of a server-streaming call.
public struct ServerStream<Message: WireMessage>: Sendable {
    let call: ServerCall

    /// Sends one message.
    /// - Throws: `RPCError(.cancelled)` once the call has ended (the caller cancelled,
    ///   the deadline passed or the connection closed), and `RPCError(.resourceExhausted)`
    ///   when the caller reads so slowly that more than the connection's limit of
    ///   bytes is waiting to be sent; the call then ends with that status.
    public func send(_ message: Message) async throws(RPCError) {
        if try call.send(message) {
            await Task.yield()
        }
    }
}

/// One call in flight on a connection. Confined to the connection's event loop.
final class ServerCall: @unchecked Sendable {
    let callID: UInt32
    let context: ServerContext
    let isStreaming: Bool
    private let connection: ServerConnectionHandler
    private(set) var isFinished = false
    /// Whether the connection tracks the call (it suspended), so it must be forgotten at the end.
    var isTracked = false
    var task: Task<Void, Never>?
    var deadlineTimer: Scheduled<Void>?

    init(callID: UInt32, context: ServerContext, isStreaming: Bool, connection: ServerConnectionHandler) {
        self.callID = callID
        self.context = context
        self.isStreaming = isStreaming
        self.connection = connection
    }

    /// Ends a unary call with OK and `response`.
    func respond<Response: WireMessage>(_ response: Response) {
        guard begin() else { return }
        connection.writeResponse(callID: callID, head: ResponseHead(status: .ok, metadata: echoedMetadata)) {
            response.encode(into: &$0)
        }
        connection.callEnded(self)
    }

    /// Ends the call with `error`'s status, or OK for a stream when `error` is nil.
    func finish(_ error: RPCError?) {
        guard begin() else { return }
        let head = ResponseHead(status: error?.code ?? .ok, message: error?.message ?? "", metadata: echoedMetadata)
        connection.writeResponse(callID: callID, head: head, payload: nil)
        connection.callEnded(self)
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
        return connection.writeStreamMessage(callID: callID, message)
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

    /// Ends the call from outside the handler (deadline, cancel, close) and stops its work.
    func abort(_ error: RPCError) {
        finish(error)
        task?.cancel()
    }

    private var echoedMetadata: Metadata {
        guard !context.metadata.isEmpty, let requestID = context.metadata[Metadata.requestIDKey] else { return Metadata() }
        return [Metadata.requestIDKey: requestID]
    }
}
