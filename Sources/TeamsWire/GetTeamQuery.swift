import RPCCore
import TeamsDomain
import TeamsProto

/// The id a `teams.v1.GetTeamRequest` asks for, read straight from its bytes when
/// they are the encoding every client sends for a valid id: field 1, length 20, an
/// xid. That skips protoc-c's unpack, its arena and a String on the hot read. Any
/// other bytes are decoded as the message, and its id kept as text for the use
/// case to parse and, if need be, reject with its usual message.
public struct GetTeamQuery: PackedDecoding, Sendable, Equatable {
    public typealias Message = Teams_V1_GetTeamRequest

    public enum ID: Sendable, Equatable {
        /// A valid xid, read from the packed bytes.
        case parsed(TeamID)
        /// The id field as decoded, valid or not.
        case text(String)
    }

    public let id: ID

    /// Field 1 with wire type 2, then the length 20.
    static let packedPrefix: (UInt8, UInt8) = (1 << 3 | 2, UInt8(TeamID.encodedLength))

    public init?(packed bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 2 + TeamID.encodedLength, bytes[0] == Self.packedPrefix.0, bytes[1] == Self.packedPrefix.1,
            let id = TeamID(utf8: bytes[2...])
        else { return nil }
        self.id = .parsed(id)
    }

    public init(_ message: Teams_V1_GetTeamRequest) {
        id = .text(message.id)
    }
}
