import NIOCore

/// A message that writes its protobuf encoding straight from its Swift fields.
///
/// The conformances are generated from `proto/` next to the protoc-c bridge, and
/// write the bytes `protobuf_c_message_pack` writes for the same message
/// (`CBridgedMessage.packWithProtobufC(into:)`, which the tests compare them with):
/// fields in number order, a proto3 field at its default value left out, a message
/// field present when non-nil. One difference: a string holding NUL is written
/// whole, as protobuf defines it, where protoc-c's C string stops at the NUL (no
/// string the server sends can hold one: names refuse control characters, and
/// whatever protoc-c decoded was already cut there). Packing this way builds no C
/// structs: for an 11-player team it skips 13 string copies, 12 structs and
/// protoc-c's descriptor-driven walk.
public protocol PackedMessage: WireMessage, PackedEncoding where Message == Self {}

/// Writes the protobuf encoding of `Message` from values that need not be one.
///
/// A handler answers with one to skip building the generated message from its own
/// types (for a team: an array of players and a copy of every string). The bytes
/// must be exactly the ones `Message` packs for the same values; a conformance's
/// tests compare the two.
public protocol PackedEncoding<Message>: ProtobufEncoding {
    associatedtype Message: WireMessage
    /// The length of the encoding in bytes.
    var packedSize: Int { get }
    /// Writes the encoding: exactly `packedSize` bytes.
    func pack(into writer: inout ProtobufWriter)
}

extension PackedEncoding {
    /// Appends the encoding to `buffer` in one reserved run of bytes.
    /// - Throws: `WireError.tooLarge` when the encoding exceeds `Arena.encodingLimit`;
    ///   `buffer` is then unchanged.
    @inlinable
    public func encode(into buffer: inout ByteBuffer) throws(WireError) {
        try encode(into: &buffer, prefixLength: 0) { _, _ in }
    }

    /// Appends `prefixLength` bytes that `prefix` writes, then the encoding, in one
    /// reserved run of bytes. `prefix` is given the encoding's size, so a frame header
    /// that states a length goes in the same run: each ByteBuffer write pays an
    /// exclusivity check and a thread-local lookup.
    /// - Throws: `WireError.tooLarge` as `encode(into:)` does; `buffer` is then unchanged.
    @inlinable
    public func encode(
        into buffer: inout ByteBuffer, prefixLength: Int, prefix: (inout ProtobufWriter, _ encodedSize: Int) -> Void
    ) throws(WireError) {
        let size = packedSize
        guard size <= Arena.encodingLimit else {
            throw .tooLarge("a \(size)-byte \(Message.wireType.name) exceeds the limit of \(Arena.encodingLimit) bytes")
        }
        let total = prefixLength + size
        guard total > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: total) { bytes in
            var writer = ProtobufWriter(UnsafeMutableRawBufferPointer(rebasing: bytes.prefix(total)))
            prefix(&writer, size)
            precondition(writer.written == prefixLength, "a prefix wrote \(writer.written) bytes, not its \(prefixLength)")
            pack(into: &writer)
            precondition(writer.written == total, "\(Message.wireType.name) wrote \(writer.written - prefixLength) bytes, not its size \(size)")
            return total
        }
    }
}

/// Sizes of protobuf fields, for `PackedMessage.packedSize`; 0 for a field left out.
public enum ProtobufSize {
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // Most lengths and enums fit one byte: a predicted branch beats the division.
        guard value >= 0x80 else { return 1 }
        // 7 bits a byte.
        return (64 - value.leadingZeroBitCount + 6) / 7
    }

    @inlinable @inline(__always)
    static func key(_ field: Int) -> Int { varint(UInt64(field) << 3) }

    @inlinable @inline(__always)
    public static func varint(_ field: Int, _ value: UInt64) -> Int {
        value == 0 ? 0 : key(field) + varint(value)
    }

    /// int32 and enums: a negative value is sign-extended to ten bytes.
    @inlinable @inline(__always)
    public static func int32(_ field: Int, _ value: Int32) -> Int {
        varint(field, UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public static func bool(_ field: Int, _ value: Bool) -> Int {
        value ? key(field) + 1 : 0
    }

    @inlinable @inline(__always)
    public static func string(_ field: Int, _ value: String) -> Int {
        let length = value.utf8.count
        return length == 0 ? 0 : key(field) + varint(UInt64(length)) + length
    }

    @inlinable
    public static func message<Message: PackedMessage>(_ field: Int, _ value: Message?) -> Int {
        guard let value else { return 0 }
        return delimited(field, value.packedSize)
    }

    @inlinable
    public static func messages<Message: PackedMessage>(_ field: Int, _ values: [Message]) -> Int {
        // By index, so no element is copied out (a retain and release of each of its strings).
        var total = 0
        for index in values.indices { total += delimited(field, values[index].packedSize) }
        return total
    }

    /// A string or message field of `length` bytes.
    @inlinable @inline(__always)
    public static func delimited(_ field: Int, _ length: Int) -> Int {
        key(field) + varint(UInt64(length)) + length
    }
}

/// Writes protobuf fields into memory reserved for exactly `PackedMessage.packedSize`
/// bytes. Every write checks that it stays inside, so a wrong size traps instead of
/// writing past the end.
public struct ProtobufWriter {
    @usableFromInline let start: UnsafeMutableRawPointer
    @usableFromInline let end: UnsafeMutableRawPointer
    @usableFromInline var next: UnsafeMutableRawPointer

    @inlinable
    init(_ bytes: UnsafeMutableRawBufferPointer) {
        start = bytes.baseAddress!
        end = start + bytes.count
        next = start
    }

    /// Bytes written so far.
    @inlinable
    public var written: Int { next - start }

    @inlinable @inline(__always)
    mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        precondition(count <= end - next, "a packed message overran its size")
        defer { next += count }
        return next
    }

    @inlinable @inline(__always)
    mutating func rawVarint(_ value: UInt64) {
        guard value >= 0x80 else {
            return reserve(1).storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        }
        let out = reserve(ProtobufSize.varint(value))
        var value = value
        var index = 0
        while value >= 0x80 {
            out.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, toByteOffset: index, as: UInt8.self)
            value >>= 7
            index += 1
        }
        out.storeBytes(of: UInt8(value), toByteOffset: index, as: UInt8.self)
    }

    @inlinable @inline(__always)
    mutating func key(_ field: Int, wireType: UInt64) {
        rawVarint(UInt64(field) << 3 | wireType)
    }

    @inlinable @inline(__always)
    public mutating func varint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, wireType: 0)
        rawVarint(value)
    }

    @inlinable @inline(__always)
    public mutating func int32(_ field: Int, _ value: Int32) {
        varint(field, UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public mutating func bool(_ field: Int, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    @inlinable @inline(__always)
    public mutating func string(_ field: Int, _ value: String) {
        let written: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in write(field, utf8) }
        if written == nil {
            var copy = value
            copy.withUTF8 { write(field, $0) }
        }
    }

    /// A string field from its UTF-8 bytes, for text that is not held as a String.
    @inlinable
    public mutating func string(_ field: Int, utf8: UnsafeBufferPointer<UInt8>) {
        write(field, utf8)
    }

    /// A fixed-width integer, big-endian: for a frame header written before an encoding.
    @inlinable
    public mutating func bigEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        reserve(MemoryLayout<Integer>.size).storeBytes(of: value.bigEndian, as: Integer.self)
    }

    /// The key and length of a message field whose `length` bytes the caller writes next.
    @inlinable
    public mutating func messageHeader(_ field: Int, length: Int) {
        key(field, wireType: 2)
        rawVarint(UInt64(length))
    }

    @inlinable @inline(__always)
    mutating func write(_ field: Int, _ utf8: UnsafeBufferPointer<UInt8>) {
        guard utf8.count > 0 else { return }
        key(field, wireType: 2)
        rawVarint(UInt64(utf8.count))
        reserve(utf8.count).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
    }

    @inlinable @inline(__always)
    public mutating func message<Message: PackedMessage>(_ field: Int, _ value: Message?) {
        guard let value else { return }
        key(field, wireType: 2)
        rawVarint(UInt64(value.packedSize))
        value.pack(into: &self)
    }

    @inlinable @inline(__always)
    public mutating func messages<Message: PackedMessage>(_ field: Int, _ values: [Message]) {
        for index in values.indices {
            key(field, wireType: 2)
            rawVarint(UInt64(values[index].packedSize))
            values[index].pack(into: &self)
        }
    }
}
