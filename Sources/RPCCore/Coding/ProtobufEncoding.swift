import NIOCore

/// Anything that can append a protobuf encoding: a `WireMessage`, or a
/// `PackedEncoding` that writes a message's bytes from other values.
public protocol ProtobufEncoding: Sendable {
    /// Appends the protobuf encoding of `self` to `buffer`.
    /// - Throws: `WireError.tooLarge` when the encoding would exceed `Arena.encodingLimit`;
    ///   `buffer` is then unchanged.
    func encode(into buffer: inout ByteBuffer) throws(WireError)
}
