import CRPCProtobuf
import NIOCore

/// A `WireMessage` that converts to and from its protoc-c struct.
///
/// The generated code (scripts/protoc-gen-swift-bridge.py) supplies the descriptor
/// and the two conversions for every message of `proto/`; this extension does the
/// unpacking, packing and freeing once for all of them. Messages are decoded this
/// way (`withUnpacked`, which also lends a handler the struct in place as the
/// generated `View`); they are encoded by their generated `PackedMessage` conformance, which
/// writes the same bytes straight from the Swift fields.
public protocol CBridgedMessage: WireMessage {
    associatedtype CMessage
    /// The message read in place from its unpacked struct (generated).
    associatedtype View: CMessageView where View.Message == Self
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// Copies the unpacked struct into Swift values.
    init(c message: UnsafePointer<CMessage>) throws(WireError)
    /// Builds the struct for packing; every pointer in it points into `arena`.
    func c(in arena: Arena) throws(WireError) -> UnsafeMutablePointer<CMessage>
}

extension CBridgedMessage {
    @inlinable
    public static var wireType: WireMessageType { WireMessageType(descriptor) }

    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(WireError) {
        let result = Self.withUnpacked(bytes) { message in Result { () throws(WireError) in try Self(c: message) } }
        self = try result.get().get()
    }

    /// Unpacks `bytes` with protoc-c and lends `body` the struct, which lives in an
    /// arena until `body` returns: the one place request bytes become a message.
    /// - Returns: `body`'s result, or `WireError.malformed` when the bytes are not a
    ///   `Self`, `.tooLarge` when unpacking them needs more than
    ///   `Arena.decodingLimit(forEncodedBytes:)`.
    @inlinable
    public static func withUnpacked<Value>(
        _ bytes: UnsafeRawBufferPointer, _ body: (UnsafePointer<CMessage>) -> Value
    ) -> Result<Value, WireError> {
        Arena.with(limit: Arena.decodingLimit(forEncodedBytes: bytes.count)) { arena in
            // protobuf-c reads nothing for length 0, but wants a pointer.
            let data = bytes.baseAddress ?? UnsafeRawPointer(arena.raw)
            guard
                let unpacked = protobuf_c_message_unpack(
                    Self.descriptor, arena.allocator, bytes.count, data.assumingMemoryBound(to: UInt8.self))
            else {
                if arena.isExhausted {
                    return .failure(.tooLarge("a \(bytes.count)-byte \(Self.wireType.name) needs more than \(arena.raw.pointee.limit) bytes to unpack"))
                }
                return .failure(.malformed("payload is not a valid \(Self.wireType.name)"))
            }
            // The arena frees the unpacked message; protobuf_c_message_free_unpacked is not needed.
            return .success(body(UnsafeRawPointer(unpacked).assumingMemoryBound(to: CMessage.self)))
        }
    }

    /// Appends the encoding as protoc-c packs it, from the C struct built in an arena.
    /// `PackedMessage.encode(into:)` writes the same bytes without the structs; this
    /// is what the tests check it against.
    /// - Throws: `WireError.tooLarge` when the structs need more than `Arena.encodingLimit`.
    @inlinable
    public func packWithProtobufC(into buffer: inout ByteBuffer) throws(WireError) {
        let result = Arena.with(limit: Arena.encodingLimit) { arena -> Result<Void, WireError> in
            let built: UnsafeMutablePointer<CMessage>
            do throws(WireError) {
                built = try c(in: arena)
            } catch {
                return .failure(error)
            }
            let message = UnsafeRawPointer(built).assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(message)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                protobuf_c_message_pack(message, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            return .success(())
        }
        try result.get()
    }
}

extension WireMessageType {
    @inlinable
    public init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.init(name: String(cString: descriptor.pointee.name), address: UInt(bitPattern: descriptor))
    }
}
