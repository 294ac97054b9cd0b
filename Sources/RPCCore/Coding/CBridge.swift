/// Reading fields out of an unpacked protoc-c struct, for the generated bridges.
///
/// Every check that protoc-c leaves to its caller is made here, once: strings
/// must be UTF-8 (protobuf requires it; protoc-c does not look), and a NULL where
/// a pointer belongs reads as empty or fails, never crashes.
public enum CBridge {
    /// A string field. NULL (which protoc-c never leaves) reads as empty.
    /// - Throws: `WireError.malformed` when the bytes are not UTF-8.
    @inlinable
    public static func string(_ pointer: UnsafePointer<CChar>?) throws(WireError) -> String {
        guard let pointer else { return "" }
        guard let string = String(validatingCString: pointer) else {
            throw .malformed("a string field is not valid UTF-8")
        }
        return string
    }

    /// A singular message field: nil when the sender left it out.
    @inlinable
    public static func optional<Message: CBridgedMessage>(_ pointer: UnsafeMutablePointer<Message.CMessage>?) throws(WireError) -> Message? {
        guard let pointer else { return nil }
        return try Message(c: pointer)
    }

    /// A repeated message field of `count` elements.
    /// - Throws: `WireError.malformed` for a NULL element, which protoc-c never leaves.
    @inlinable
    public static func repeated<Message: CBridgedMessage>(
        _ elements: UnsafeMutablePointer<UnsafeMutablePointer<Message.CMessage>?>?, count: Int
    ) throws(WireError) -> [Message] {
        guard count > 0 else { return [] }
        guard let elements else { throw .malformed("a repeated field of \(count) elements has no array") }
        var result: [Message] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let element = elements[index] else { throw .malformed("a repeated field has a null element") }
            result.append(try Message(c: element))
        }
        return result
    }
}
