import GRPCCore
import NIOCore
import TeamsDomain
import TeamsWire

/// `teams.v1.TeamService` for grpc-swift-2, written by hand: no swift-protobuf, no
/// generated stubs. Messages are the `TeamsWire` types and travel in the protoc-c
/// encoding that `teams-server` uses, so a benchmark of the two servers compares
/// the RPC layers and nothing else.
public enum TeamServiceGRPC {
    public static let service = ServiceDescriptor(fullyQualifiedService: "teams.v1.TeamService")
    public static let healthService = ServiceDescriptor(fullyQualifiedService: "teams.v1.Health")

    public static let createTeam = MethodDescriptor(service: service, method: "CreateTeam", type: .unary)
    public static let getTeam = MethodDescriptor(service: service, method: "GetTeam", type: .unary)
    public static let renameTeam = MethodDescriptor(service: service, method: "RenameTeam", type: .unary)
    public static let deleteTeam = MethodDescriptor(service: service, method: "DeleteTeam", type: .unary)
    public static let addPlayer = MethodDescriptor(service: service, method: "AddPlayer", type: .unary)
    public static let removePlayer = MethodDescriptor(service: service, method: "RemovePlayer", type: .unary)
    public static let searchTeams = MethodDescriptor(service: service, method: "SearchTeams", type: .unary)
    public static let healthCheck = MethodDescriptor(service: healthService, method: "Check", type: .unary)
}

/// Serializes any `WireMessage` with its protoc-c packer.
///
/// Packs into a NIO `ByteBuffer` and hands gRPC one copy of it (the NIO transport's
/// bytes type cannot adopt a buffer it did not make).
public struct WireMessageSerializer<Message: WireMessage>: MessageSerializer {
    public init() {}

    @inlinable
    public func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return Bytes(buffer.readableBytesView)
    }
}

/// Deserializes any `WireMessage` with its protoc-c unpacker, straight from gRPC's bytes.
public struct WireMessageDeserializer<Message: WireMessage>: MessageDeserializer {
    public init() {}

    @inlinable
    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { raw in
            do {
                return try Message(decoding: raw)
            } catch {
                throw RPCError(code: .invalidArgument, message: "malformed \(Message.wireType): \(error)")
            }
        }
    }
}

extension RPCError {
    /// The same mapping as `teams-server` (Sources/TeamsService/TeamError+Status.swift).
    public init(_ error: TeamError) {
        switch error {
        case .invalidArgument(let message): self.init(code: .invalidArgument, message: message)
        case .notFound(let message): self.init(code: .notFound, message: message)
        case .alreadyExists(let message): self.init(code: .alreadyExists, message: message)
        case .versionMismatch(let expected, let actual):
            self.init(code: .aborted, message: "expected version \(expected) but the team is at version \(actual)")
        case .contention(let message): self.init(code: .aborted, message: message)
        case .failedPrecondition(let message): self.init(code: .failedPrecondition, message: message)
        case .resourceExhausted(let message): self.init(code: .resourceExhausted, message: message)
        case .unavailable(let message): self.init(code: .unavailable, message: message)
        case .outOfRange(let message): self.init(code: .outOfRange, message: message)
        case .internal(let message): self.init(code: .internalError, message: message)
        }
    }
}

extension RPCError.Code {
    /// The upper-case name gRPC uses, e.g. `NOT_FOUND`: the key of `errors` in bench output.
    public var statusName: String {
        switch rawValue {
        case 1: "CANCELLED"
        case 2: "UNKNOWN"
        case 3: "INVALID_ARGUMENT"
        case 4: "DEADLINE_EXCEEDED"
        case 5: "NOT_FOUND"
        case 6: "ALREADY_EXISTS"
        case 7: "PERMISSION_DENIED"
        case 8: "RESOURCE_EXHAUSTED"
        case 9: "FAILED_PRECONDITION"
        case 10: "ABORTED"
        case 11: "OUT_OF_RANGE"
        case 12: "UNIMPLEMENTED"
        case 13: "INTERNAL"
        case 14: "UNAVAILABLE"
        case 15: "DATA_LOSS"
        case 16: "UNAUTHENTICATED"
        default: "CODE_\(rawValue)"
        }
    }
}
