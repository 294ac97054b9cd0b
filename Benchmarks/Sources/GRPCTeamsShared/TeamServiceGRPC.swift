import GRPCCore
import NIOCore
import RPCCore
import TeamsDomain
import TeamsProto

// Both GRPCCore and RPCCore declare `MethodDescriptor`, `RPCError` and `CallOptions`
// (and more): every use below names its module.

/// `teams.v1.TeamService` for grpc-swift-2, without swift-protobuf or grpc-swift's
/// generated stubs. The method descriptors are made from the generated ones of
/// `TeamsProto` (so no method name is written here); the messages are the generated
/// `Teams_V1_*` types, decoded by protoc-c's unpack and encoded by the generated
/// packers as in `teams-server`. The handlers are not the same code: `teams-server`
/// answers a GetTeam whose team is in memory on the event loop with no task
/// (`getTeamWithoutWaiting`), where this one always awaits the interactor in a task,
/// as a grpc-swift service does; docs/PERFORMANCE.md counts that difference.
public enum TeamServiceGRPC {
    public static let createTeam = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.createTeam)
    public static let getTeam = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.getTeam)
    public static let renameTeam = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.renameTeam)
    public static let deleteTeam = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.deleteTeam)
    public static let addPlayer = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.addPlayer)
    public static let removePlayer = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.removePlayer)
    public static let searchTeams = GRPCCore.MethodDescriptor(Teams_V1_TeamService.Method.searchTeams)
    public static let healthCheck = GRPCCore.MethodDescriptor(Teams_V1_Health.Method.check)
}

extension GRPCCore.MethodDescriptor {
    /// The gRPC descriptor of a generated method: the same service, method name and kind,
    /// so the path is `/teams.v1.TeamService/GetTeam` as `teams-server` names it.
    public init<Request: WireMessage, Response: WireMessage>(_ method: RPCCore.MethodDescriptor<Request, Response>) {
        let rpcType: RPCType =
            switch method.kind {
            case .unary: .unary
            case .serverStreaming: .serverStreaming
            }
        self.init(service: GRPCCore.ServiceDescriptor(fullyQualifiedService: method.service), method: method.method, type: rpcType)
    }
}

/// Serializes any `WireMessage` with its generated packer (the bytes protoc-c's pack writes).
///
/// Packs into a NIO `ByteBuffer` and hands gRPC one copy of it (the NIO transport's
/// bytes type cannot adopt a buffer it did not make).
public struct WireMessageSerializer<Message: WireMessage>: MessageSerializer {
    public init() {}

    @inlinable
    public func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        var buffer = ByteBuffer()
        do throws(WireError) {
            try message.encode(into: &buffer)
        } catch {
            // As `teams-server` answers a response it cannot encode.
            throw GRPCCore.RPCError(code: .resourceExhausted, message: "the \(Message.wireType) cannot be encoded: \(error)")
        }
        return Bytes(buffer.readableBytesView)
    }
}

/// Deserializes any `WireMessage` with its protoc-c unpacker, straight from gRPC's bytes.
public struct WireMessageDeserializer<Message: WireMessage>: MessageDeserializer {
    public init() {}

    @inlinable
    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Message in
            do throws(WireError) {
                return try Message(decoding: raw)
            } catch {
                switch error {
                case .malformed:
                    throw GRPCCore.RPCError(code: .invalidArgument, message: "malformed \(Message.wireType): \(error)")
                case .tooLarge:
                    throw GRPCCore.RPCError(code: .resourceExhausted, message: "\(Message.wireType) is too large to decode: \(error)")
                }
            }
        }
    }
}

extension GRPCCore.RPCError {
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

extension GRPCCore.RPCError.Code {
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
