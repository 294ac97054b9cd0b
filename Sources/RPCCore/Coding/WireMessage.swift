import NIOCore

/// A protobuf message of `proto/`, as a Swift value.
///
/// Decoding reads the protobuf encoding and copies what it needs into Swift
/// values; the input bytes may be reused as soon as it returns. Encoding appends
/// the protobuf encoding to a `ByteBuffer`, with no intermediate copy. The
/// conformances are generated: decoding through protoc-c (`CBridgedMessage`),
/// encoding from the Swift fields (`PackedMessage`).
public protocol WireMessage: ProtobufEncoding {
    /// The message type in `proto/`, e.g. `teams.v1.GetTeamRequest`.
    static var wireType: WireMessageType { get }

    /// Decodes the protobuf encoding in `bytes`.
    /// - Throws: `WireError.malformed` when the bytes are not a valid encoding of this
    ///   message or hold a value the Swift type cannot represent; `WireError.tooLarge`
    ///   when unpacking them would need more memory than the arena allows.
    init(decoding bytes: UnsafeRawBufferPointer) throws(WireError)
}

extension WireMessage {
    /// Decodes the readable bytes of `buffer` without moving its reader index.
    @inlinable
    public init(decoding buffer: ByteBuffer) throws(WireError) {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(WireError) in try Self(decoding: bytes) }
        }
        self = try result.get()
    }

    /// Decodes `bytes`.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(WireError) in try Self(decoding: raw) } }
        self = try result.get()
    }

    /// The protobuf encoding as an array, for transports that want one.
    public func encodedBytes() throws(WireError) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try encode(into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}

/// A message type of `proto/`, identified by its protoc-c descriptor.
public struct WireMessageType: Hashable, Sendable, CustomStringConvertible {
    /// The full protobuf name, e.g. `teams.v1.GetTeamRequest`.
    public let name: String
    @usableFromInline let address: UInt

    @usableFromInline init(name: String, address: UInt) {
        self.name = name
        self.address = address
    }

    public var description: String { name }
}

/// Why bytes could not be decoded, or a message could not be encoded.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not a valid protobuf encoding of the named message, or hold a
    /// value it cannot carry; the string says which.
    case malformed(String)
    /// The message needs more memory to unpack or pack than its arena allows.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .malformed(let reason), .tooLarge(let reason): reason
        }
    }
}
