import Logging
import NIOCore
import NIOEmbedded
import RPCCore
import TeamsDomain
import TeamsMemoryStore
import TeamsProto
import TeamsService

/// One fuzz input through what a peer's bytes meet, exactly as in the server and
/// the client; only the socket is missing.
///
/// The first byte picks the side:
/// - even: the bytes a client sends. They go to a `ServerConnection` serving the
///   method table `teams-server` serves (`TeamServiceMethods.table`: the generated
///   registration of the real handlers, over a fresh memory store per input), so
///   every reader of request bytes runs: framing, request heads, method lookup,
///   protoc-c's unpack and the generated bridge, then the use cases, the answer
///   without waiting, and the response path (packing, frame writing).
/// - odd: the bytes a server sends. One call of every method is started on a
///   `ClientConnection`, then the bytes arrive: response heads, stream messages,
///   GOAWAY, and each payload decoded as the method's response type.
public enum ConnectionFuzzing {
    /// The largest request frame the fuzzed server accepts: small, so the oversized path runs too.
    public static let maximumFrameLength: UInt32 = 4096

    public static func run(_ input: UnsafeRawBufferPointer) {
        guard let mode = input.first else { return }
        let bytes = ByteBuffer(bytes: input.dropFirst())
        if mode % 2 == 0 { serve(bytes) } else { receive(bytes) }
    }

    static let logger: Logger = {
        var logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()

    /// What `teams-server` serves, over an empty memory store: each input starts from
    /// the same state, and memory does not grow from one input to the next.
    static func table() -> MethodTable {
        let store = InMemoryTeamRepository()
        let changes = ChangeSignal()
        return TeamServiceMethods.table(
            interactor: TeamInteractor(repository: store, changes: changes), storeDescription: "memory",
            events: EventWatch(outbox: store, changes: changes), serverVersion: "fuzz")
    }

    static func serve(_ bytes: ByteBuffer) {
        let loop = EmbeddedEventLoop()
        let table = table()
        let output = DiscardingOutput()
        let connection = ServerConnection(
            table: table, loop: loop, executor: EventLoopTaskExecutor(loop: loop),
            limits: .init(maximumFrameLength: maximumFrameLength, maximumBufferedOutput: 1 << 20), logger: logger)
        connection.attach(output)
        connection.receive(bytes)
        connection.receiveComplete()
        loop.run()
        connection.closed()
        loop.run()
        try? loop.syncShutdownGracefully()
    }

    static func receive(_ bytes: ByteBuffer) {
        let loop = EmbeddedEventLoop()
        let connection = ClientConnection(loop: loop)
        connection.attach(DiscardingOutput())
        typealias TeamService = Teams_V1_TeamService.Method
        typealias Health = Teams_V1_Health.Method
        start(TeamService.createTeam, Teams_V1_CreateTeamRequest(), on: connection)
        start(TeamService.getTeam, Teams_V1_GetTeamRequest(), on: connection)
        start(TeamService.renameTeam, Teams_V1_RenameTeamRequest(), on: connection)
        start(TeamService.deleteTeam, Teams_V1_DeleteTeamRequest(), on: connection)
        start(TeamService.addPlayer, Teams_V1_AddPlayerRequest(), on: connection)
        start(TeamService.removePlayer, Teams_V1_RemovePlayerRequest(), on: connection)
        start(TeamService.searchTeams, Teams_V1_SearchTeamsRequest(), on: connection)
        start(TeamService.watchEvents, Teams_V1_WatchEventsRequest(), on: connection)
        start(Health.check, Teams_V1_CheckRequest(), on: connection)
        start(Health.listMethods, Teams_V1_ListMethodsRequest(), on: connection)
        connection.receive(bytes)
        loop.run()
        connection.closed(RPCError(.unavailable, "end of input"))
        loop.run()
        try? loop.syncShutdownGracefully()
    }

    /// Starts a call and decodes whatever answers it, as `RPCConnection` does.
    private static func start<Request: WireMessage, Response: WireMessage>(_ method: MethodDescriptor<Request, Response>, _ request: Request, on connection: ClientConnection) {
        connection.startCall(path: method.path, request: request, timeoutMilliseconds: nil, metadata: Metadata()) { event in
            switch event {
            case .call(.message(let payload)):
                _ = try? Response(decoding: payload)
            case .call(.end(let head, let payload)):
                if head.status == .ok { _ = try? Response(decoding: payload) }
            case .notRun:
                break
            }
        }
    }
}

/// Writes go nowhere; the fuzzer only needs the work that produced them.
final class DiscardingOutput: ConnectionOutput {
    var bufferedBytes: Int { 0 }
    func write(_ bytes: ByteBuffer) {}
    func close(after bytes: ByteBuffer) {}
}
