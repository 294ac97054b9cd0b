import NIOCore
import NIOSSL
import RPCCore

/// Carries one TCP connection's bytes to and from its client `ClientConnection`.
final class ClientChannelHandler: ChannelInboundHandler, ConnectionOutput {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let connection: ClientConnection
    private var context: ChannelHandlerContext?

    init(connection: ClientConnection) {
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.attach(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connection.closed(RPCError(.unavailable, "connection closed"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.receive(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed(RPCError(.unavailable, "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS alerts can come after the handshake: TLS 1.3 refuses a client certificate then.
        let reason = error is NIOSSLError || error is BoringSSLError ? TLSFailure.reason(error) : "\(error)"
        connection.closed(RPCError(.unavailable, "connection error: \(reason)"))
        context.close(promise: nil)
    }

    // MARK: ConnectionOutput

    func write(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    var bufferedBytes: Int { 0 }

    func close(after bytes: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
