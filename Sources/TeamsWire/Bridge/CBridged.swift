import CTeamsProtobuf
import NIOCore

/// A `WireMessage` that converts to and from its protoc-c struct.
///
/// A conformer supplies the descriptor and the two conversions; the protocol
/// extension does the unpacking, packing and freeing once for all of them.
protocol CBridged: WireMessage {
    associatedtype CMessage
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// Copies the unpacked struct into Swift values.
    init(c message: UnsafePointer<CMessage>) throws(WireError)
    /// Builds the struct for packing; every pointer in it points into `arena`.
    func c(in arena: Arena) -> UnsafeMutablePointer<CMessage>
}

extension CBridged {
    public static var wireType: WireMessageType { WireMessageType(descriptor) }

    public init(decoding bytes: UnsafeRawBufferPointer) throws(WireError) {
        let result = Arena.with { arena -> Result<Self, WireError> in
            // protobuf-c reads nothing for length 0, but wants a pointer.
            let data = bytes.baseAddress ?? UnsafeRawPointer(arena.raw)
            guard
                let unpacked = protobuf_c_message_unpack(
                    Self.descriptor, arena.allocator, bytes.count, data.assumingMemoryBound(to: UInt8.self))
            else {
                return .failure(.malformed("payload is not a valid \(Self.wireType.name)"))
            }
            // The arena frees the unpacked message; protobuf_c_message_free_unpacked is not needed.
            let message = UnsafeRawPointer(unpacked).assumingMemoryBound(to: CMessage.self)
            return Result { () throws(WireError) in try Self(c: message) }
        }
        self = try result.get()
    }

    public func encode(into buffer: inout ByteBuffer) {
        Arena.with { arena in
            let message = UnsafeRawPointer(c(in: arena)).assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(message)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                protobuf_c_message_pack(message, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
    }
}

extension WireMessageType {
    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.init(name: String(cString: descriptor.pointee.name), address: UInt(bitPattern: descriptor))
    }
}
