import NIOCore
import NIOPosix
import NIOSSL
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
            throw RPCError(.unavailable, "could not connect to \(host):\(port): \(ConnectFailure.reason(error))")
        }
    }
}

extension RPCConnection {
    /// Balances calls over a TCP connection (TLS with `tls`) to each of `endpoints`,
    /// reconnecting and retrying as `configuration` says (see `ClientChannel`).
    /// Returns at once: connections are made in the background. A call waits for one
    /// while it is being made; once every endpoint's last attempt failed, a call fails
    /// at once with UNAVAILABLE naming why, unless it waits for ready
    /// (`CallOptions.waitForReady`), up to its deadline. A connection counts as made once its TLS
    /// handshake is done, so a refused handshake is that endpoint's failure.
    /// - Throws: `RPCError(.invalidArgument)` when the TLS files cannot be used.
    public static func connect(
        endpoints: [Endpoint], configuration: ClientConfiguration = ClientConfiguration(), tls: ClientTLS? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RPCError) -> RPCConnection {
        guard !endpoints.isEmpty else { throw RPCError(.invalidArgument, "no endpoint to connect to") }
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try tls?.makeContext()
        } catch {
            throw RPCError(.invalidArgument, "\(error)")
        }
        let loop = group.next()
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        do {
            return try await loop.submit {
                let channel = ClientChannel(endpoints: endpoints, configuration: configuration, loop: loop) { endpoint, connection in
                    let handshake = loop.makePromise(of: Void.self)
                    let connected = ClientBootstrap(group: loop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connectTimeout(connectTimeout)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                if let tlsContext, let tls {
                                    let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: tls.hostname(for: endpoint))
                                    try channel.pipeline.syncOperations.addHandler(handler)
                                    try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(handshake: handshake))
                                } else {
                                    handshake.succeed()
                                }
                                try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(connection: connection))
                            }
                        }
                        .connect(host: endpoint.host, port: endpoint.port)
                    let refused = connected.flatMapErrorThrowing { error -> any Channel in
                        throw RPCError(.unavailable, "could not connect to \(endpoint): \(ConnectFailure.reason(error))")
                    }
                    refused.whenFailure { handshake.fail($0) }
                    return refused.flatMap { _ in handshake.futureResult }
                }
                let bound = NIOLoopBound(channel, eventLoop: loop)
                return RPCConnection(target: channel) { try? await loop.submit { bound.value.close() }.get() }
            }.get()
        } catch {
            throw RPCError(.internal, "cannot start the client: \(error)")
        }
    }
}
