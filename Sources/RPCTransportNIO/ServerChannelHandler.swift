import NIOCore
import NIOExtras
import NIOSSL
import NIOTLS
import RPCCore

/// Carries one TCP connection's bytes to and from its `ServerConnection`.
///
/// Reads go to the connection, and one read batch ends with one flush. While the
/// client is not reading responses, the handler stops reading requests. NIOExtras'
/// quiescing event starts the connection's drain.
final class ServerChannelHandler: ChannelInboundHandler, ConnectionOutput {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connection: ServerConnection
    private var context: ChannelHandlerContext?
    private let metrics: ServerMetrics?
    /// Until a TLS handshake completes; a connection that closes before then counts as refused by TLS.
    private var awaitsTLSHandshake: Bool
    /// On a plaintext port, until the first read: a TLS or HTTP client there is told so and closed.
    private var checksFirstBytes: Bool
    private let maximumFrameLength: UInt32

    init(connection: ServerConnection, metrics: ServerMetrics?, usesTLS: Bool, maximumFrameLength: UInt32) {
        self.connection = connection
        self.metrics = metrics
        self.awaitsTLSHandshake = usesTLS
        self.checksFirstBytes = !usesTLS
        self.maximumFrameLength = maximumFrameLength
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.attach(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connection.closed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if checksFirstBytes {
            checksFirstBytes = false
            if let foreign = ForeignProtocol.recognize(bytes, maximumFrameLength: maximumFrameLength) { return refuse(foreign, context: context) }
        }
        connection.receive(bytes)
    }

    /// Closes a connection whose client speaks another protocol: at once for TLS, whose
    /// client then reports a handshake cut short, and after a plain-text 400 for HTTP,
    /// so that curl shows what this port is.
    private func refuse(_ foreign: ForeignProtocol, context: ChannelHandlerContext) {
        metrics?.connectionRejected(.badStream)
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        guard foreign == .http else { return context.close(promise: nil) }
        let body = "This port speaks TeamService's binary protocol (docs/PROTOCOL.md), not HTTP.\n"
        let response = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.receiveComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Stop reading requests while the client is not reading responses.
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenComplete { _ in }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if awaitsTLSHandshake {
            awaitsTLSHandshake = false
            metrics?.connectionRejected(.tls)
        }
        connection.closed()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            connection.quiesce()
        } else if case TLSUserEvent.handshakeCompleted = event {
            awaitsTLSHandshake = false
            // With mutual TLS the verified certificate may name the caller.
            if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
                let certificate = handler.peerCertificate, let name = CertificateIdentity.name(of: certificate)
            {
                connection.authenticate(certificateName: name)
            }
            context.fireUserInboundEventTriggered(event)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: ConnectionOutput

    func write(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    var bufferedBytes: Int {
        guard let channel = context?.channel else { return 0 }
        return (try? channel.syncOptions?.getOption(ChannelOptions.Types.BufferedWritableBytesOption())) ?? 0
    }

    func close(after bytes: ByteBuffer) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
