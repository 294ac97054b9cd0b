import NIOCore

/// A message kept as its protobuf encoding, whatever its type: a request encoded
/// once, so that a retry sends the same bytes, and the requests and responses of
/// calls made through a schema (`DynamicMessage`) rather than a generated type.
public struct RawMessage: WireMessage {
    public static var wireType: WireMessageType { WireMessageType(name: "bytes", address: 0) }
    public let bytes: ByteBuffer

    public init(bytes: ByteBuffer) { self.bytes = bytes }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(WireError) {
        self.bytes = ByteBuffer(bytes: bytes)
    }

    public func encode(into buffer: inout ByteBuffer) throws(WireError) {
        buffer.writeImmutableBuffer(bytes)
    }
}
