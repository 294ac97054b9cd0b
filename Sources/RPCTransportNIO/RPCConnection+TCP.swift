import NIOCore
import NIOPosix
import RPCCore

extension RPCConnection {
    /// Connects to `host:port` over TCP.
    /// - Throws: `RPCError(.unavailable)` naming the address and the cause.
    public static func connect(
        host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, connectTimeout: Duration = .seconds(5)
    ) async throws(RPCError) -> RPCConnection {
        do {
            let channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let connection = ClientConnection(loop: channel.eventLoop)
                        try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(connection: connection))
                    }
                }
                .connect(host: host, port: port)
                .get()
            return try await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: ClientChannelHandler.self)
                return RPCConnection(connection: handler.connection, closeTransport: { try? await channel.close() })
            }.get()
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
    }
}
