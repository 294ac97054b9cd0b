import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RPCTransportNIO
import ServiceLifecycle

/// `GET /metrics`: the registry in the Prometheus text format, over NIO's HTTP/1.1 codec.
///
/// Before each scrape `refresh` runs, for the values read on demand (process
/// memory, the newest stored event). Any other path is 404; any other method 405.
/// Runs until a graceful shutdown.
///
/// It has its own small budget, apart from the RPC port's: at most
/// `maximumConnections` open (one more is closed at once), and a connection that
/// sends nothing for `idleTimeout` is closed, so idle scrapers cannot use up the
/// process's file descriptors.
struct MetricsEndpoint: Service {
    private let channel: any Channel
    /// The address it listens on, with the real port when 0 was asked for.
    let localAddress: SocketAddress

    /// Binds now, so a taken port stops start-up.
    init(
        host: String, port: Int, maximumConnections: Int, idleTimeout: Duration, metrics: PrometheusMetrics,
        refresh: @escaping @Sendable () async -> Void
    ) async throws {
        let open = ConnectionCount(limit: maximumConnections)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard open.admit() else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.release() }
                return channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: TimeAmount(idleTimeout)), position: .first)
                    try channel.pipeline.syncOperations.addHandler(ScrapeHandler(metrics: metrics, refresh: refresh))
                }
            }
            .bind(host: host, port: port)
            .get()
        localAddress = channel.localAddress!
    }

    func run() async throws {
        try? await gracefulShutdown()
        try? await channel.close()
    }
}

/// Answers one request at a time on a connection; keep-alive as the client asks.
private final class ScrapeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let metrics: PrometheusMetrics
    private let refresh: @Sendable () async -> Void
    private var request: HTTPRequestHead?

    init(metrics: PrometheusMetrics, refresh: @escaping @Sendable () async -> Void) {
        self.metrics = metrics
        self.refresh = refresh
    }

    /// Nothing read for the idle timeout: close.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/metrics" else {
            return write(.notFound, body: "not found: try /metrics\n", keepAlive: head.isKeepAlive, context: context)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return write(.methodNotAllowed, body: "only GET /metrics\n", extraHeaders: [("Allow", "GET, HEAD")], keepAlive: head.isKeepAlive, context: context)
        }
        let metrics = self.metrics
        let refresh = self.refresh
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await refresh()
            return metrics.exposition()
        }.whenSuccess { text in
            let (handler, context) = bound.value
            handler.write(.ok, body: head.method == .HEAD ? "" : text, contentType: "text/plain; version=0.0.4; charset=utf-8",
                          keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func write(
        _ status: HTTPResponseStatus, body: String, contentType: String = "text/plain; charset=utf-8",
        extraHeaders: [(String, String)] = [], keepAlive: Bool, context: ChannelHandlerContext
    ) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(buffer.readableBytes)")] + extraHeaders)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
