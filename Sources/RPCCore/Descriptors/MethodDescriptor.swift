/// How a method answers: one response, or a stream of messages then a status.
public enum MethodKind: Sendable, Hashable {
    case unary
    case serverStreaming
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
    /// `/service/method`, as a REQUEST frame names it; kept, so a call makes no string.
    public let path: String

    public init(service: String, method: String, kind: MethodKind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
    }

    /// The descriptor without its types, for lists of methods.
    public var erased: AnyMethodDescriptor {
        AnyMethodDescriptor(path: path, kind: kind, request: Request.wireType, response: Response.wireType)
    }
}

/// A `MethodDescriptor` with its types as values.
public struct AnyMethodDescriptor: Sendable, Hashable {
    public let path: String
    public let kind: MethodKind
    public let request: WireMessageType
    public let response: WireMessageType
}
