import CRPCProtobuf

/// Scratch memory for one message's C structs, freed all at once.
///
/// Unpacked messages and the structs built for packing both live here, so a call
/// makes no `malloc` per field and nothing can be left unfreed. The arena hands
/// out at most `limit` bytes: past it, or when malloc fails, allocation throws
/// `WireError.tooLarge` rather than trapping or taking the process's memory.
public struct Arena {
    @usableFromInline let raw: UnsafeMutablePointer<RPCArena>

    @usableFromInline init(raw: UnsafeMutablePointer<RPCArena>) {
        self.raw = raw
    }

    /// The most an arena hands out for a message built to be sent.
    public static let encodingLimit = 64 << 20

    /// The most an arena hands out to unpack `count` bytes: unpacking a protobuf
    /// message can need many times its encoded size (each 2-byte field becomes a
    /// 32-byte scan record and a struct), but not without bound.
    @inlinable
    public static func decodingLimit(forEncodedBytes count: Int) -> Int {
        (64 << 10) + 16 * count
    }

    /// Runs `body` with a fresh arena on the stack; everything allocated in it is
    /// released when `body` returns.
    @inlinable
    public static func with<Result>(limit: Int, _ body: (Arena) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: RPCArena.self, capacity: 1) { storage in
            let arena = Arena(raw: storage.baseAddress!)
            rpc_arena_init(arena.raw, limit)
            defer { rpc_arena_release(arena.raw) }
            return body(arena)
        }
    }

    /// Whether an allocation has failed: the limit was reached or malloc failed.
    @inlinable
    public var isExhausted: Bool { raw.pointee.exhausted != 0 }

    /// The arena as a protobuf-c allocator (its first field).
    @inlinable
    public var allocator: UnsafeMutablePointer<ProtobufCAllocator> {
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: ProtobufCAllocator.self)
    }

    @inlinable
    func allocate<T>(_: T.Type, count: Int = 1) throws(WireError) -> UnsafeMutablePointer<T> {
        guard let memory = rpc_arena_alloc(raw, MemoryLayout<T>.stride * max(count, 1)) else {
            throw .tooLarge("the message needs more than \(raw.pointee.limit) bytes of scratch memory")
        }
        return memory.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A zero-initialised C struct of `Message`, ready to fill in for packing.
    @inlinable
    public func message<Message: CBridgedMessage>(_: Message.Type) throws(WireError) -> UnsafeMutablePointer<Message.CMessage> {
        let descriptor = Message.descriptor
        let memory = try allocate(UInt8.self, count: descriptor.pointee.sizeof_message)
        protobuf_c_message_init(descriptor, memory)
        return UnsafeMutableRawPointer(memory).bindMemory(to: Message.CMessage.self, capacity: 1)
    }

    /// A NUL-terminated copy of `string`.
    @inlinable
    public func cString(_ string: String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        var string = string
        let result = string.withUTF8 { utf8 in
            Result { () throws(WireError) in try cString(copying: UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }

    /// A NUL-terminated copy of `bytes`.
    @inlinable
    public func cString(copying bytes: UnsafeRawBufferPointer) throws(WireError) -> UnsafeMutablePointer<CChar> {
        let copy = try allocate(CChar.self, count: bytes.count + 1)
        if let source = bytes.baseAddress {
            UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: bytes.count)
        }
        copy[bytes.count] = 0
        return copy
    }

    /// The C array of a repeated message field: one struct per element; nil when empty.
    @inlinable
    public func array<Message: CBridgedMessage>(_ elements: [Message]) throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<Message.CMessage>?>? {
        guard !elements.isEmpty else { return nil }
        let array = try allocate(UnsafeMutablePointer<Message.CMessage>?.self, count: elements.count)
        for index in elements.indices { array[index] = try elements[index].c(in: self) }
        return array
    }
}
