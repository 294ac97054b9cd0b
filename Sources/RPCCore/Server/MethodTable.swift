import NIOCore

/// The methods a server answers, built from protoc-c service descriptors.
///
/// Every method of every given `WireService` gets an entry, named and typed by
/// its descriptor. Handlers are attached by `MethodDescriptor`; attaching one the
/// services do not describe, or whose message types differ from protoc-c's, is a
/// programming error (the generated code and the C code disagree) and traps at
/// start-up. A described method with no handler answers UNIMPLEMENTED.
public struct MethodTable: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        let method: WireMethod
        var kind: MethodKind = .unary
        var idempotency: MethodIdempotency = .unknown
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
    public var methods: [(path: String, kind: MethodKind, implemented: Bool)] {
        entries.map { ($0.method.path, $0.kind, $0.handler != nil) }
    }

    func index(of path: String) -> Int? { indexByPath[path] }

    /// Attaches handlers to described methods.
    ///
    /// The registering methods are `@inlinable` so that each handler is specialised
    /// for its message types where it is registered: the generic version looks up
    /// type metadata at run time on every call.
    public struct Registrar {
        var entries: [Entry]

        /// Answers `method` with `body`'s response, in a task.
        @inlinable
        public mutating func unary<Request, Response: PackedMessage>(
            _ method: MethodDescriptor<Request, Response>,
            _ body: @escaping @Sendable (Request, ServerContext) async throws(RPCError) -> Response
        ) {
            attach(method) { payload, call in
                guard let request = decode(Request.self, payload, call) else { return nil }
                return answerLater(call, request, body)
            }
        }

        /// Answers `method` on the event loop, with no task, whenever `immediately`
        /// returns a response or throws; only when it returns nil (it would have to
        /// wait) does the call go on to `body` in a task, as `unary(_:_:)` does.
        /// `immediately` reads the request in place (`Request.View`), so a call it
        /// answers copies nothing out of protoc-c's struct; the request is bridged into
        /// Swift only for `body`. `immediately` must not block: it runs on the
        /// connection's event loop. The generated `registerMethods` attaches every unary
        /// method this way, with the service's `…WithoutWaiting` requirement (nil by default).
        @inlinable
        public mutating func unary<Request: CBridgedMessage, Response: PackedMessage>(
            _ method: MethodDescriptor<Request, Response>,
            immediately: @escaping @Sendable (Request.View, ServerContext) throws(RPCError) -> Response?,
            _ body: @escaping @Sendable (Request, ServerContext) async throws(RPCError) -> Response
        ) {
            attach(method) { payload, call in
                let started = payload.withUnsafeReadableBytes { bytes in
                    Request.withUnpacked(bytes) { unpacked -> (@Sendable () async -> Void)? in
                        do throws(RPCError) {
                            guard let response = try immediately(Request.View(unpacked), call.context) else {
                                return bridge(Request.self, unpacked, call).map { answerLater(call, $0, body) }
                            }
                            call.respond(response)
                        } catch {
                            call.finish(error)
                        }
                        return nil
                    }
                }
                switch started {
                case .success(let rest): return rest
                case .failure(let error):
                    reject(call, error)
                    return nil
                }
            }
        }

        /// Answers `method` with the messages `body` sends, then OK when it returns.
        @inlinable
        public mutating func serverStreaming<Request, Response>(
            _ method: MethodDescriptor<Request, Response>,
            _ body: @escaping @Sendable (Request, ServerStream<Response>, ServerContext) async throws(RPCError) -> Void
        ) {
            attach(method) { payload, call in
                guard let request = decode(Request.self, payload, call) else { return nil }
                return {
                    do throws(RPCError) {
                        try await body(request, ServerStream(call: call), call.context)
                        call.finish(nil)
                    } catch {
                        call.finish(error)
                    }
                }
            }
        }

        /// Attaching a method again replaces its handler.
        @usableFromInline
        mutating func attach<Request, Response>(_ descriptor: MethodDescriptor<Request, Response>, _ handler: @escaping ServerHandler) {
            guard let index = entries.firstIndex(where: { $0.method.path == descriptor.path }) else {
                preconditionFailure("no described method \(descriptor.path); is proto/ regenerated?")
            }
            let method = entries[index].method
            precondition(
                method.input == Request.wireType && method.output == Response.wireType,
                "\(descriptor.path) takes \(method.input) and returns \(method.output), not \(Request.wireType) and \(Response.wireType)")
            entries[index].kind = descriptor.kind
            entries[index].idempotency = descriptor.idempotency
            entries[index].handler = handler
        }
    }
}

/// Starts a call on the connection's event loop. It either ends the call before it
/// returns (nil), or returns the rest of the call's work, which the connection runs
/// in a task.
@usableFromInline
typealias ServerHandler = @Sendable (ByteBuffer, ServerCall) -> (@Sendable () async -> Void)?

/// The rest of a unary call, run in a task: `body`, then its response or error.
@inlinable
func answerLater<Request: Sendable, Response: PackedMessage>(
    _ call: ServerCall, _ request: Request, _ body: @escaping @Sendable (Request, ServerContext) async throws(RPCError) -> Response
) -> @Sendable () async -> Void {
    { await answer(call) { () async throws(RPCError) in try await body(request, call.context) } }
}

/// Ends a unary call with `body`'s response or error.
@inlinable
func answer<Response: PackedMessage>(_ call: ServerCall, _ body: () async throws(RPCError) -> Response) async {
    do throws(RPCError) {
        call.respond(try await body())
    } catch {
        call.finish(error)
    }
}

@inlinable
func decode<Request: WireMessage>(_: Request.Type, _ payload: ByteBuffer, _ call: ServerCall) -> Request? {
    do throws(WireError) {
        return try Request(decoding: payload)
    } catch {
        reject(call, error)
        return nil
    }
}

/// The Swift message of a request protoc-c has unpacked; nil when it does not bridge
/// (a string that is not UTF-8), and the call is then ended.
@inlinable
func bridge<Request: CBridgedMessage>(_: Request.Type, _ unpacked: UnsafePointer<Request.CMessage>, _ call: ServerCall) -> Request? {
    do throws(WireError) {
        return try Request(c: unpacked)
    } catch {
        reject(call, error)
        return nil
    }
}

/// Ends a call whose request does not decode.
@usableFromInline
func reject(_ call: ServerCall, _ error: WireError) {
    call.payloadRejected()
    switch error {
    case .malformed: call.finish(RPCError(.invalidArgument, "request does not decode: \(error)"))
    case .tooLarge: call.finish(RPCError(.resourceExhausted, "request is too large to decode: \(error)"))
    }
}
