import CoreMetrics
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import RPCCore
import Synchronization

/// A TCP server speaking the protocol of docs/PROTOCOL.md for one `MethodTable`.
///
/// Connections are spread over the event loops of `group` (one per core by
/// default). `shutdownGracefully()` stops accepting and drains every connection:
/// a GOAWAY names the last call that will run, calls in flight finish within the
/// drain timeout, and it returns once every connection has closed.
public final class RPCServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The largest frame accepted, in bytes after the length prefix.
        public var maximumFrameLength: UInt32
        /// How many response bytes may wait for a slow reader before its streams are cut off.
        public var maximumBufferedOutput: Int
        /// Open connections; one more gets a GOAWAY (UNAVAILABLE) and is closed.
        public var maximumConnections = 10_000
        /// Calls in flight on one connection; one more gets RESOURCE_EXHAUSTED.
        public var maximumCallsPerConnection = 1_000
        /// A connection with no call in flight and nothing read for this long is closed; zero never.
        public var idleTimeout: Duration = .seconds(15 * 60)
        /// A frame begun must arrive in full within this, else the connection is closed.
        public var frameReadTimeout: Duration = .seconds(20)
        /// How long a drain waits for calls in flight before answering them UNAVAILABLE.
        public var drainTimeout: Duration = .seconds(30)
        /// PINGs closer together than this are strikes (gRPC's too_many_pings); zero allows any rate.
        public var minimumPingInterval: Duration = .seconds(10)
        /// With an authenticator, a connection that has named no caller by then gets
        /// GOAWAY UNAUTHENTICATED and is closed.
        public var authenticationTimeout: Duration = .seconds(10)
        /// TLS, and with a client CA mutual TLS; nil serves plaintext.
        public var tls: ServerTLS?
        /// Log one line per call as it ends (an access log); off, calls pay nothing for it.
        public var logsEveryCall = false

        public init(host: String = "127.0.0.1", port: Int = 7070, maximumFrameLength: UInt32 = FrameDecoder.defaultMaximumFrameLength, maximumBufferedOutput: Int = 4 << 20) {
            self.host = host
            self.port = port
            self.maximumFrameLength = maximumFrameLength
            self.maximumBufferedOutput = maximumBufferedOutput
        }
    }

    private let channel: any Channel
    private let quiescing: ServerQuiescingHelper
    /// The address the server listens on (with the real port when 0 was asked for).
    public let localAddress: SocketAddress

    /// Binds and starts accepting. With `authenticator`, callers are authenticated
    /// once per connection (an AUTH frame's token, or a client certificate) and each
    /// call is checked against the caller's permissions.
    /// With `metrics`, calls, connections and rejected frames are counted (`ServerMetrics.Name`).
    /// - Throws: `TLSSetupError` when the TLS files cannot be used; the bind error, e.g.
    ///   when the port is in use.
    public init(
        configuration: Configuration, table: MethodTable, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        authenticator: (any CallerAuthenticator)? = nil, metrics: ServerMetrics? = nil
    ) async throws {
        let tlsContext = try configuration.tls?.makeContext()
        let handshakeTimeout = TimeAmount(configuration.tls?.handshakeTimeout ?? .seconds(10))
        let quiescing = ServerQuiescingHelper(group: group)
        var limits = ServerConnection.Limits(
            maximumFrameLength: configuration.maximumFrameLength, maximumBufferedOutput: configuration.maximumBufferedOutput)
        limits.maximumCallsInFlight = configuration.maximumCallsPerConnection
        limits.idleTimeout = configuration.idleTimeout > .zero ? TimeAmount(configuration.idleTimeout) : nil
        limits.frameReadTimeout = TimeAmount(configuration.frameReadTimeout)
        limits.drainTimeout = TimeAmount(configuration.drainTimeout)
        limits.minimumPingInterval = TimeAmount(configuration.minimumPingInterval)
        limits.authenticationTimeout = TimeAmount(configuration.authenticationTimeout)
        let openConnections = ConnectionCount(limit: configuration.maximumConnections)
        let peerLog = PeerLogLimiter(metrics: metrics)
        let executors = Dictionary(uniqueKeysWithValues: group.makeIterator().map { loop in
            (ObjectIdentifier(loop), EventLoopTaskExecutor(loop: loop))
        })
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard openConnections.admit() else {
                        metrics?.connectionRejected(.limit)
                        peerLog.log(logger, level: .warning, "connection refused: limit reached", metadata: [
                            "limit": "\(configuration.maximumConnections)", "peer": "\(channel.remoteAddress?.ipAddress ?? "-")",
                        ])
                        try channel.pipeline.syncOperations.addHandler(RefusingChannelHandler(
                            goAway: RPCError(.unavailable, "the server's limit of \(configuration.maximumConnections) connections is reached")))
                        return
                    }
                    metrics?.connectionAccepted()
                    channel.closeFuture.whenComplete { _ in
                        openConnections.release()
                        metrics?.connectionClosed()
                    }
                    let loop = channel.eventLoop
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeTimeoutHandler(timeout: handshakeTimeout))
                    }
                    let connection = ServerConnection(
                        table: table, loop: loop,
                        executor: executors[ObjectIdentifier(loop)] ?? EventLoopTaskExecutor(loop: loop),
                        limits: limits, logger: logger, authenticator: authenticator, peerAddress: channel.remoteAddress?.ipAddress,
                        metrics: metrics, logsEveryCall: configuration.logsEveryCall, peerLog: peerLog)
                    try channel.pipeline.syncOperations.addHandler(
                        ServerChannelHandler(
                            connection: connection, metrics: metrics, usesTLS: tlsContext != nil, maximumFrameLength: configuration.maximumFrameLength))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        self.channel = channel
        self.quiescing = quiescing
        self.localAddress = channel.localAddress!
    }

    /// Stops accepting, waits for calls in flight, and closes every connection.
    public func shutdownGracefully() async {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: promise)
        try? await promise.futureResult.get()
        try? await channel.closeFuture.get()
    }
}

/// Tells a connection beyond the limit why with a GOAWAY, then closes it.
private final class RefusingChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let goAway: RPCError

    init(goAway: RPCError) { self.goAway = goAway }

    func channelActive(context: ChannelHandlerContext) {
        var frame = context.channel.allocator.buffer(capacity: 64)
        writeGoAwayFrame(goAway, lastCallID: 0, into: &frame)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
