/// How a method answers: one response, or a stream of messages then a status.
public enum MethodKind: Sendable, Hashable {
    case unary
    case serverStreaming
}

/// Whether calling a method twice is safe, as its `.proto` says with
/// `option idempotency_level`; clients retry only methods that are.
public enum MethodIdempotency: Sendable, Hashable {
    /// Unknown: the method may change state, so an outcome-unknown call is never retried.
    case unknown
    /// A read (`NO_SIDE_EFFECTS`): safe to retry.
    case noSideEffects
    /// Repeating it has the effect of running it once (`IDEMPOTENT`): safe to retry.
    case idempotent

    /// Whether a client may run a call again when it does not know if the first one ran.
    public var isSafeToRetry: Bool { self != .unknown }
}

/// One method of a service, with its request and response types.
///
/// The generated code (`scripts/generate-proto`) makes one per method of `proto/`;
/// the server's method table, the client stubs, `teams bench` and the tests all
/// take it, so a method's name is written in exactly one place.
public struct MethodDescriptor<Request: WireMessage, Response: WireMessage>: Sendable, Hashable {
    /// The full service name, e.g. `teams.v1.TeamService`.
    public let service: String
    /// The method's own name, e.g. `GetTeam`.
    public let method: String
    public let kind: MethodKind
    public let idempotency: MethodIdempotency
    /// `/service/method`, as a REQUEST frame names it; kept, so a call makes no string.
    public let path: String

    public init(service: String, method: String, kind: MethodKind, idempotency: MethodIdempotency = .unknown) {
        self.service = service
        self.method = method
        self.kind = kind
        self.idempotency = idempotency
        self.path = "/\(service)/\(method)"
    }

    /// The descriptor without its types, for lists of methods.
    public var erased: AnyMethodDescriptor {
        AnyMethodDescriptor(path: path, kind: kind, idempotency: idempotency, request: Request.wireType, response: Response.wireType)
    }
}

/// A `MethodDescriptor` with its types as values.
public struct AnyMethodDescriptor: Sendable, Hashable {
    public let path: String
    public let kind: MethodKind
    public let idempotency: MethodIdempotency
    public let request: WireMessageType
    public let response: WireMessageType
}

extension AnyMethodDescriptor {
    /// The same method, called with requests and responses kept as bytes: for calls
    /// whose messages are built from a schema (`DynamicMessage`).
    public var raw: MethodDescriptor<RawMessage, RawMessage> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return MethodDescriptor(service: String(parts.first ?? ""), method: String(parts.last ?? ""), kind: kind, idempotency: idempotency)
    }
}
