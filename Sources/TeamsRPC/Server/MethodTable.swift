import NIOCore
import TeamsWire

/// The methods a server answers, built from protoc-c service descriptors.
///
/// Every method of every given `WireService` gets an entry, named and typed by
/// its descriptor. Handlers are attached by full name; registering a name the
/// descriptors do not have, or with other message types than the descriptor's,
/// is a programming error and traps at start-up. A described method with no
/// handler answers UNIMPLEMENTED.
public struct MethodTable: Sendable {
    public enum Kind: Sendable, Hashable {
        case unary
        case serverStreaming
    }

    struct Entry: Sendable {
        let method: WireMethod
        var kind: Kind = .unary
        var handler: ServerHandler?
    }

    private(set) var entries: [Entry]
    private let indexByPath: [String: Int]

    public init(services: [WireService], register: (inout Registrar) -> Void) {
        var registrar = Registrar(entries: services.flatMap { $0.methods.map { Entry(method: $0) } })
        register(&registrar)
        self.entries = registrar.entries
        self.indexByPath = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.method.path, $0) })
    }

    /// Every described method, in descriptor order, with whether it has a handler.
    public var methods: [(path: String, kind: Kind, implemented: Bool)] {
        entries.map { ($0.method.path, $0.kind, $0.handler != nil) }
    }

    func index(of path: String) -> Int? { indexByPath[path] }

    /// Attaches handlers to described methods.
    public struct Registrar {
        var entries: [Entry]

        /// Answers `path` with `body`'s response.
        public mutating func unary<Request: WireMessage, Response: WireMessage>(
            _ path: String,
            _ body: @escaping @Sendable (Request, ServerContext) async throws(RPCError) -> Response
        ) {
            attach(path, .unary, Request.self, Response.self) { payload, call in
                guard let request = decode(Request.self, payload, call) else { return }
                do throws(RPCError) {
                    call.respond(try await body(request, call.context))
                } catch {
                    call.finish(error)
                }
            }
        }

        /// Answers `path` with the messages `body` sends, then OK when it returns.
        public mutating func serverStreaming<Request: WireMessage, Response: WireMessage>(
            _ path: String,
            _ body: @escaping @Sendable (Request, ServerStream<Response>, ServerContext) async throws(RPCError) -> Void
        ) {
            attach(path, .serverStreaming, Request.self, Response.self) { payload, call in
                guard let request = decode(Request.self, payload, call) else { return }
                do throws(RPCError) {
                    try await body(request, ServerStream(call: call), call.context)
                    call.finish(nil)
                } catch {
                    call.finish(error)
                }
            }
        }

        private mutating func attach<Request: WireMessage, Response: WireMessage>(
            _ path: String, _ kind: Kind, _: Request.Type, _: Response.Type, _ handler: @escaping ServerHandler
        ) {
            guard let index = entries.firstIndex(where: { $0.method.path == path }) else {
                preconditionFailure("no described method \(path); is proto/ regenerated?")
            }
            let method = entries[index].method
            precondition(
                method.input == Request.wireType && method.output == Response.wireType,
                "\(path) takes \(method.input) and returns \(method.output), not \(Request.wireType) and \(Response.wireType)")
            entries[index].kind = kind
            entries[index].handler = handler
        }
    }
}

typealias ServerHandler = @Sendable (ByteBuffer, ServerCall) async -> Void

private func decode<Request: WireMessage>(_: Request.Type, _ payload: ByteBuffer, _ call: ServerCall) -> Request? {
    do {
        return try Request(decoding: payload)
    } catch {
        call.finish(RPCError(.invalidArgument, "request does not decode: \(error)"))
        return nil
    }
}
