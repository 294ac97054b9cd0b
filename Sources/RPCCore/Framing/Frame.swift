import NIOCore

/// One frame of the protocol, after the length prefix has been consumed.
///
///     0       4      5       6              10
///     +-------+------+-------+---------------+---------------------------+
///     |length | type | flags |    call id    | body (type-specific)      |
///     +-------+------+-------+---------------+---------------------------+
///      u32 BE   u8     u8        u32 BE        length - 6 bytes
///
/// `length` counts every byte after itself, so it is at least 6. docs/PROTOCOL.md
/// gives each type's body.
public struct Frame: Sendable, Hashable {
    public var type: FrameType
    public var flags: FrameFlags
    public var callID: UInt32
    /// The bytes after the call id: the type's header fields, then the payload.
    public var body: ByteBuffer

    public init(type: FrameType, flags: FrameFlags, callID: UInt32, body: ByteBuffer) {
        self.type = type
        self.flags = flags
        self.callID = callID
        self.body = body
    }

    /// Bytes before the body: the length, type, flags and call id.
    public static let headerSize = 10
    /// The smallest valid `length`: type, flags and call id.
    public static let minimumLength: UInt32 = 6
}

/// What a frame carries. Values this version does not know are kept, so the
/// receiver can name them in an error.
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Client to server: starts a call.
    public static let request = FrameType(rawValue: 1)
    /// Server to client: ends a call with its status, and for unary calls its response.
    public static let response = FrameType(rawValue: 2)
    /// Server to client: one message of a server-streaming call.
    public static let streamMessage = FrameType(rawValue: 3)
    /// Client to server: the client gives up on the call.
    public static let cancel = FrameType(rawValue: 4)
    /// Server to client, call id 0: the server will run no call above the last call id it
    /// names, and closes the connection once the calls it accepted have ended.
    public static let goAway = FrameType(rawValue: 5)
    /// Client to server: a keepalive probe; the call id field carries an opaque value.
    public static let ping = FrameType(rawValue: 6)
    /// Server to client: the answer to a PING, echoing its value.
    public static let pong = FrameType(rawValue: 7)
    /// Client to server, the first frame only, call id 0: names the caller by a token.
    public static let auth = FrameType(rawValue: 8)

    public var description: String {
        switch self {
        case .request: "REQUEST"
        case .response: "RESPONSE"
        case .streamMessage: "STREAM_MESSAGE"
        case .cancel: "CANCEL"
        case .goAway: "GOAWAY"
        case .ping: "PING"
        case .pong: "PONG"
        case .auth: "AUTH"
        default: "type \(rawValue)"
        }
    }
}

/// Which optional header fields a frame's body holds, in this order.
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// REQUEST: the full method name follows the method ref (u8 length + UTF-8).
    public static let methodName = FrameFlags(rawValue: 0x01)
    /// REQUEST: a u32 timeout in milliseconds follows.
    public static let deadline = FrameFlags(rawValue: 0x02)
    /// REQUEST, RESPONSE: u16 length + protobuf `teams.rpc.v1.Metadata` follows.
    public static let metadata = FrameFlags(rawValue: 0x04)
    /// RESPONSE: u16 length + UTF-8 status message follows the status code.
    public static let statusMessage = FrameFlags(rawValue: 0x08)
}
