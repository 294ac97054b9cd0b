/// A read-only look at a message protoc-c has unpacked, reading its fields in place
/// from the C struct instead of copying them into Swift values.
///
/// Every message's generated `View` conforms. A view borrows the struct: it is valid
/// only while the code it was lent to runs (for a call's request, the `…WithoutWaiting`
/// requirement), because the struct lives in that call's arena. Convert it with
/// `message()` to keep anything.
public protocol CMessageView {
    associatedtype Message: CBridgedMessage
    /// Views the unpacked struct at `c`, which must outlive the view.
    init(_ c: UnsafePointer<Message.CMessage>)
    /// The struct viewed.
    var c: UnsafePointer<Message.CMessage> { get }
}

extension CMessageView {
    /// The owned message, as decoding would have made it.
    /// - Throws: `WireError.malformed` when a string is not UTF-8.
    @inlinable
    public func message() throws(WireError) -> Message {
        try Message(c: c)
    }
}

/// A string field read in place: the bytes protoc-c received, not yet checked as
/// UTF-8 (`string()` checks; `utf8` does not, so whoever reads it must).
public struct CText {
    @usableFromInline let pointer: UnsafePointer<CChar>?

    @inlinable
    public init(_ pointer: UnsafePointer<CChar>?) {
        self.pointer = pointer
    }

    /// The bytes up to the terminating NUL; empty for NULL.
    @inlinable
    public var utf8: UnsafeBufferPointer<UInt8> {
        guard let pointer else { return UnsafeBufferPointer(start: nil, count: 0) }
        let bytes = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
        var count = 0
        while bytes[count] != 0 { count += 1 }
        return UnsafeBufferPointer(start: bytes, count: count)
    }

    /// The text as a String, as decoding makes it.
    /// - Throws: `WireError.malformed` when the bytes are not UTF-8.
    @inlinable
    public func string() throws(WireError) -> String {
        try CBridge.string(pointer)
    }
}

/// A repeated message field read in place: one view per element.
public struct CRepeatedView<Element: CMessageView>: RandomAccessCollection {
    @usableFromInline let elements: UnsafeMutablePointer<UnsafeMutablePointer<Element.Message.CMessage>?>?
    public let count: Int

    @inlinable
    public init(_ elements: UnsafeMutablePointer<UnsafeMutablePointer<Element.Message.CMessage>?>?, count: Int) {
        // protoc-c's unpack allocates every element or fails; a view of anything else is empty.
        self.elements = elements
        self.count = elements == nil ? 0 : count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @inlinable
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "index \(index) out of a repeated field of \(count)")
        guard let element = elements![index] else { preconditionFailure("protoc-c left a null element in a repeated field") }
        return Element(element)
    }
}
