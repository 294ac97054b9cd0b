/// The sending half of a server-streaming call.
public struct ServerStream<Message: WireMessage>: Sendable {
    let call: ServerCall

    @usableFromInline
    init(call: ServerCall) { self.call = call }

    /// Sends one message.
    /// - Throws: `RPCError(.cancelled)` once the call has ended (the caller cancelled,
    ///   the deadline passed or the connection closed), and `RPCError(.resourceExhausted)`
    ///   when the caller reads so slowly that more than the connection's limit of
    ///   bytes is waiting to be sent, or the message is too large to encode; the call
    ///   then ends with that status.
    public func send(_ message: Message) async throws(RPCError) {
        if try call.send(message) {
            await Task.yield()
        }
    }
}
