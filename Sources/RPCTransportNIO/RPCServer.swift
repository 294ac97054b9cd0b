import Logging
import NIOCore
import NIOExtras
import NIOPosix
import RPCCore

/// A TCP server speaking the protocol of docs/PROTOCOL.md for one `MethodTable`.
///
/// Connections are spread over the event loops of `group` (one per core by
/// default). `shutdownGracefully()` stops accepting, lets calls in flight finish
/// (new calls on open connections get UNAVAILABLE), and returns once every
/// connection has closed.
public final class RPCServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The largest frame accepted, in bytes after the length prefix.
        public var maximumFrameLength: UInt32
        /// How many response bytes may wait for a slow reader before its streams are cut off.
        public var maximumBufferedOutput: Int

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

    /// Binds and starts accepting.
    /// - Throws: the bind error, e.g. when the port is in use.
    public init(configuration: Configuration, table: MethodTable, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) async throws {
        let quiescing = ServerQuiescingHelper(group: group)
        let limits = ServerConnection.Limits(
            maximumFrameLength: configuration.maximumFrameLength, maximumBufferedOutput: configuration.maximumBufferedOutput)
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
                    let loop = channel.eventLoop
                    let connection = ServerConnection(
                        table: table, loop: loop,
                        executor: executors[ObjectIdentifier(loop)] ?? EventLoopTaskExecutor(loop: loop),
                        limits: limits, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(ServerChannelHandler(connection: connection))
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
