import CTeamsProtobuf
import TeamsDomain

/// Scratch memory for one message's C structs, freed all at once.
///
/// Unpacked messages and the structs built for packing both live here, so a call
/// makes no `malloc` per field and nothing can be left unfreed.
struct Arena {
    let raw: UnsafeMutablePointer<TeamsArena>

    /// Runs `body` with a fresh arena on the stack; everything allocated in it is
    /// released when `body` returns.
    static func with<Result>(_ body: (Arena) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: TeamsArena.self, capacity: 1) { storage in
            let arena = Arena(raw: storage.baseAddress!)
            teams_arena_init(arena.raw)
            defer { teams_arena_release(arena.raw) }
            return body(arena)
        }
    }

    /// The arena as a protobuf-c allocator (its first field).
    var allocator: UnsafeMutablePointer<ProtobufCAllocator> {
        UnsafeMutableRawPointer(raw).assumingMemoryBound(to: ProtobufCAllocator.self)
    }

    func allocate<T>(_: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        guard let memory = teams_arena_alloc(raw, MemoryLayout<T>.stride * max(count, 1)) else {
            fatalError("out of memory allocating \(count) \(T.self)")
        }
        return memory.bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A zero-initialised message of the C type described by `descriptor`.
    func message<T>(_: T.Type, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafeMutablePointer<T> {
        let memory = allocate(UInt8.self, count: descriptor.pointee.sizeof_message)
        protobuf_c_message_init(descriptor, memory)
        return UnsafeMutableRawPointer(memory).bindMemory(to: T.self, capacity: 1)
    }

    /// A NUL-terminated copy of `string`.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let copy = allocate(CChar.self, count: utf8.count + 1)
            if let source = utf8.baseAddress {
                UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: utf8.count)
            }
            copy[utf8.count] = 0
            return copy
        }
    }

    /// A NUL-terminated copy of `id`'s text form, made without an intermediate String.
    func cString(_ id: TeamID) -> UnsafeMutablePointer<CChar> {
        id.withUTF8 { text in
            let copy = allocate(CChar.self, count: text.count + 1)
            UnsafeMutableRawPointer(copy).copyMemory(from: text.baseAddress!, byteCount: text.count)
            copy[text.count] = 0
            return copy
        }
    }

    /// An array of `count` pointers to messages built by `element`.
    func array<T>(of _: T.Type, count: Int, _ element: (Int) -> UnsafeMutablePointer<T>) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?>? {
        guard count > 0 else { return nil }
        let array = allocate(UnsafeMutablePointer<T>?.self, count: count)
        for index in 0..<count { array[index] = element(index) }
        return array
    }
}

/// A string field of a decoded message. protoc-c does not check UTF-8, which
/// protobuf requires, so it is checked here. protoc-c never leaves a field NULL,
/// but a NULL reads as empty rather than crashing.
@inline(__always)
func decodeString(_ pointer: UnsafePointer<CChar>?) throws(WireError) -> String {
    guard let pointer else { return "" }
    guard let string = String(validatingCString: pointer) else {
        throw .malformed("a string field is not valid UTF-8")
    }
    return string
}
