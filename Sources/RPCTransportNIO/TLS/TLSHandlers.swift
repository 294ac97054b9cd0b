import NIOCore
import NIOSSL
import NIOTLS
import X509

/// Closes a server connection whose TLS handshake is not done within `timeout`.
final class TLSHandshakeTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Passed on before leaving the pipeline: a removed handler's context forwards nothing.
        context.fireUserInboundEventTriggered(event)
        if case TLSUserEvent.handshakeCompleted = event {
            timer?.cancel()
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }
}

/// Completes `handshake` when a client's TLS handshake is done, or fails it with
/// the cause, so a connection counts as made only once it can carry calls.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let handshake: EventLoopPromise<Void>

    init(handshake: EventLoopPromise<Void>) { self.handshake = handshake }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if case TLSUserEvent.handshakeCompleted = event {
            handshake.succeed()
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        handshake.fail(RPCTLSError.handshake(TLSFailure.reason(error)))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(RPCTLSError.handshake(TLSFailure.closedDuringHandshake))
        context.fireChannelInactive()
    }
}

/// A TLS handshake that failed, as a client sees it.
enum RPCTLSError: Error, CustomStringConvertible {
    case handshake(String)
    var description: String {
        switch self {
        case .handshake(let cause): "TLS handshake failed: \(cause)"
        }
    }
}

/// The caller a client certificate names: its subject's common name, else its first DNS name.
enum CertificateIdentity {
    static func name(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        for relativeName in parsed.subject {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value), !name.isEmpty { return name }
            }
        }
        if let names = try? parsed.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in names { return name }
        }
        return nil
    }
}
