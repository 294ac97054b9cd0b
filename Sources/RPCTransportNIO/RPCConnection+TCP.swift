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
                return RPCConnection(target: handler.connection, closeTransport: { try? await channel.close() })
            }.get()
        } catch {
            throw RPCError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
    }
}

extension RPCConnection {
    /// Balances calls over a TCP connection to each of `endpoints`, reconnecting
    /// and retrying as `configuration` says (see `ClientChannel`). Returns at once:
    /// connections are made in the background, and a call waits for one, up to
    /// its deadline.
    public static func connect(
        endpoints: [Endpoint], configuration: ClientConfiguration = ClientConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RPCError) -> RPCConnection {
        guard !endpoints.isEmpty else { throw RPCError(.invalidArgument, "no endpoint to connect to") }
        let loop = group.next()
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        do {
            return try await loop.submit {
                let channel = ClientChannel(endpoints: endpoints, configuration: configuration, loop: loop) { endpoint, connection in
                    ClientBootstrap(group: loop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connectTimeout(connectTimeout)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(connection: connection))
                            }
                        }
                        .connect(host: endpoint.host, port: endpoint.port)
                        .map { _ in }
                }
                let bound = NIOLoopBound(channel, eventLoop: loop)
                return RPCConnection(target: channel) { try? await loop.submit { bound.value.close() }.get() }
            }.get()
        } catch {
            throw RPCError(.internal, "cannot start the client: \(error)")
        }
    }
}
