import Logging
import NIOCore
import NIOPosix
import RPCCore

/// A server and its clients in one process, without a network.
///
/// Each `connect()` pairs a client `RPCConnection` with a server connection over
/// an in-memory pipe on one event loop. Every byte still goes through the real
/// path: framing, the call envelope, the method table, protoc-c's unpack and the
/// generated bridge for what arrives, the generated packers for what leaves. Only
/// the socket is missing, so tests of the service run the same code as
/// `teams-server` without binding a port.
public final class InProcessTransport: Sendable {
    private let table: MethodTable
    private let loop: any EventLoop
    private let executor: EventLoopTaskExecutor
    private let limits: ServerConnection.Limits
    private let logger: Logger
    private let pipes: NIOLoopBoundBox<[ObjectIdentifier: Pipe]>

    /// - Parameters:
    ///   - maximumFrameLength: the largest request frame the server side accepts.
    ///   - maximumBufferedOutput: response bytes that may wait for a slow reader.
    public init(
        table: MethodTable, loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        maximumFrameLength: UInt32 = FrameDecoder.defaultMaximumFrameLength, maximumBufferedOutput: Int = 4 << 20,
        logger: Logger = Logger(label: "in-process")
    ) {
        self.table = table
        self.loop = loop
        self.executor = EventLoopTaskExecutor(loop: loop)
        self.limits = ServerConnection.Limits(maximumFrameLength: maximumFrameLength, maximumBufferedOutput: maximumBufferedOutput)
        self.logger = logger
        self.pipes = NIOLoopBoundBox.makeBoxSendingValue([:], eventLoop: loop)
    }

    /// A new client connection to the server.
    /// - Throws: `RPCError(.unavailable)` when the transport's event loop has shut down.
    public func connect() async throws(RPCError) -> RPCConnection {
        do {
            return try await loop.submit { [self] in
            let server = ServerConnection(table: table, loop: loop, executor: executor, limits: limits, logger: logger)
            let client = ClientConnection(loop: loop)
            let pipe = Pipe(loop: loop, server: server, client: client)
            let key = ObjectIdentifier(pipe)
            pipes.value[key] = pipe
            pipe.onClose = { [pipes] in pipes.value[key] = nil }
            let boundPipe = NIOLoopBound(pipe, eventLoop: loop)
            return RPCConnection(target: client) { [loop] in
                try? await loop.submit { boundPipe.value.close() }.get()
            }
            }.get()
        } catch {
            throw RPCError(.unavailable, "the in-process transport's event loop is gone: \(error)")
        }
    }

    /// Drains every connection as a server shutdown does: calls in flight finish,
    /// new calls get UNAVAILABLE, then each connection closes.
    public func shutdownGracefully() async {
        try? await loop.submit { [pipes] in
            for pipe in pipes.value.values { pipe.server.quiesce() }
        }.get()
    }
}

/// Two ends on one loop. A write is delivered on a later tick, as a socket would,
/// so no call completes inside the call that started it.
private final class Pipe {
    let loop: any EventLoop
    let server: ServerConnection
    let client: ClientConnection
    var onClose: (() -> Void)?
    private var isClosed = false
    private lazy var toServer = End(pipe: self, deliver: { [unowned self] in
        server.receive($0)
        server.receiveComplete()
    })
    private lazy var toClient = End(pipe: self, deliver: { [unowned self] in client.receive($0) })

    init(loop: any EventLoop, server: ServerConnection, client: ClientConnection) {
        self.loop = loop
        self.server = server
        self.client = client
        server.attach(toClient)
        client.attach(toServer)
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        server.closed()
        client.closed(RPCError(.unavailable, "connection closed"))
        onClose?()
        onClose = nil
    }

    /// The writing side of one direction.
    final class End: ConnectionOutput {
        unowned let pipe: Pipe
        let deliver: (ByteBuffer) -> Void
        private(set) var bufferedBytes = 0

        init(pipe: Pipe, deliver: @escaping (ByteBuffer) -> Void) {
            self.pipe = pipe
            self.deliver = deliver
        }

        func write(_ bytes: ByteBuffer) {
            guard !pipe.isClosed, bytes.readableBytes > 0 else { return }
            bufferedBytes += bytes.readableBytes
            pipe.loop.assumeIsolated().execute { [self] in
                bufferedBytes -= bytes.readableBytes
                guard !pipe.isClosed else { return }
                deliver(bytes)
            }
        }

        func close(after bytes: ByteBuffer) {
            write(bytes)
            let pipe = self.pipe
            pipe.loop.assumeIsolated().execute { pipe.close() }
        }
    }
}
