import CRPCProtobuf
import NIOCore

/// A message of any type of `proto/`, held as field values under its schema: what
/// `teams call` builds from JSON and sends, and what it gets back.
///
/// It encodes as protoc-c packs (fields in number order, proto3 defaults left out,
/// repeated numbers packed) and decodes through protoc-c's unpack, like the
/// generated messages.
public struct DynamicMessage: Sendable, Hashable {
    public let schema: MessageSchema
    /// By field number; a singular field left at its default is absent.
    public var values: [UInt32: DynamicValue]

    public init(schema: MessageSchema, values: [UInt32: DynamicValue] = [:]) {
        self.schema = schema
        self.values = values
    }

    /// The fields that have a value, in field number order.
    public var presentFields: [(field: FieldSchema, value: DynamicValue)] {
        schema.fields.compactMap { field in values[field.number].map { (field, $0) } }
    }
}

/// A field's value. Integers of every width are `.int` (signed kinds) or `.uint`
/// (unsigned); an enum is its number.
public indirect enum DynamicValue: Sendable, Hashable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case bytes([UInt8])
    case enumeration(Int32)
    case message(DynamicMessage)
    case list([DynamicValue])
}

// MARK: Encoding

extension DynamicMessage {
    /// The protobuf encoding, byte for byte as protoc-c packs the same message.
    /// - Throws: `WireError.malformed` when a value does not fit its field's kind.
    public func encoded() throws(WireError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try encode(into: &buffer)
        return buffer
    }

    func encode(into buffer: inout ByteBuffer) throws(WireError) {
        for field in schema.fields {
            guard let value = values[field.number] else { continue }
            if field.label == .repeated {
                guard case .list(let elements) = value else { throw .malformed("\(schema.name).\(field.name) is repeated: it takes a list") }
                guard !elements.isEmpty else { continue }
                if field.isPacked, let wireType = Self.wireType(of: field.kind), wireType != 2 {
                    var packed = ByteBuffer()
                    for element in elements { try Self.write(element, as: field, into: &packed) }
                    Self.writeVarint(UInt64(field.number) << 3 | 2, into: &buffer)
                    Self.writeVarint(UInt64(packed.readableBytes), into: &buffer)
                    buffer.writeImmutableBuffer(packed)
                } else {
                    for element in elements { try Self.writeTagged(element, as: field, into: &buffer) }
                }
            } else {
                if field.label == .singular, Self.isDefault(value) { continue }
                try Self.writeTagged(value, as: field, into: &buffer)
            }
        }
    }

    /// proto3 leaves these out: zero, false, empty. A message is sent even when empty.
    private static func isDefault(_ value: DynamicValue) -> Bool {
        switch value {
        case .int(let number): number == 0
        case .uint(let number): number == 0
        case .double(let number): number == 0 && number.sign == .plus
        case .bool(let flag): !flag
        case .string(let text): text.isEmpty
        case .bytes(let bytes): bytes.isEmpty
        case .enumeration(let number): number == 0
        case .message, .list: false
        }
    }

    /// 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit.
    private static func wireType(of kind: FieldSchema.Kind) -> UInt64? {
        switch kind {
        case .int32, .sint32, .int64, .sint64, .uint32, .uint64, .bool, .enumeration: 0
        case .fixed64, .sfixed64, .double: 1
        case .fixed32, .sfixed32, .float: 5
        case .string, .bytes, .message: 2
        }
    }

    private static func writeTagged(_ value: DynamicValue, as field: FieldSchema, into buffer: inout ByteBuffer) throws(WireError) {
        writeVarint(UInt64(field.number) << 3 | wireType(of: field.kind)!, into: &buffer)
        try write(value, as: field, into: &buffer)
    }

    private static func write(_ value: DynamicValue, as field: FieldSchema, into buffer: inout ByteBuffer) throws(WireError) {
        func mismatch() -> WireError { .malformed("\(field.name) is \(field.kind): \(value) does not fit") }
        switch (field.kind, value) {
        case (.int32, .int(let number)), (.int64, .int(let number)):
            guard field.kind != .int32 || Int32(exactly: number) != nil else { throw mismatch() }
            writeVarint(UInt64(bitPattern: number), into: &buffer)
        case (.enumeration, .enumeration(let number)):
            writeVarint(UInt64(bitPattern: Int64(number)), into: &buffer)
        case (.sint32, .int(let number)), (.sint64, .int(let number)):
            guard field.kind != .sint32 || Int32(exactly: number) != nil else { throw mismatch() }
            writeVarint(UInt64(bitPattern: (number << 1) ^ (number >> 63)), into: &buffer)
        case (.uint32, .uint(let number)), (.uint64, .uint(let number)):
            guard field.kind != .uint32 || UInt32(exactly: number) != nil else { throw mismatch() }
            writeVarint(number, into: &buffer)
        case (.bool, .bool(let flag)):
            writeVarint(flag ? 1 : 0, into: &buffer)
        case (.fixed32, .uint(let number)):
            guard let number = UInt32(exactly: number) else { throw mismatch() }
            buffer.writeInteger(number, endianness: .little)
        case (.sfixed32, .int(let number)):
            guard let number = Int32(exactly: number) else { throw mismatch() }
            buffer.writeInteger(number, endianness: .little)
        case (.fixed64, .uint(let number)):
            buffer.writeInteger(number, endianness: .little)
        case (.sfixed64, .int(let number)):
            buffer.writeInteger(number, endianness: .little)
        case (.float, .double(let number)):
            buffer.writeInteger(Float(number).bitPattern, endianness: .little)
        case (.double, .double(let number)):
            buffer.writeInteger(number.bitPattern, endianness: .little)
        case (.string, .string(let text)):
            writeVarint(UInt64(text.utf8.count), into: &buffer)
            buffer.writeString(text)
        case (.bytes, .bytes(let bytes)):
            writeVarint(UInt64(bytes.count), into: &buffer)
            buffer.writeBytes(bytes)
        case (.message(let type), .message(let message)):
            guard message.schema.name == type.name else { throw mismatch() }
            let nested = try message.encoded()
            writeVarint(UInt64(nested.readableBytes), into: &buffer)
            buffer.writeImmutableBuffer(nested)
        default:
            throw mismatch()
        }
    }

    private static func writeVarint(_ value: UInt64, into buffer: inout ByteBuffer) {
        var value = value
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }
}

// MARK: Decoding

extension DynamicMessage {
    /// Unpacks `bytes` with protoc-c as a `schema` message and reads its struct.
    /// - Throws: `WireError.malformed` for bytes that are not such a message or a
    ///   string that is not UTF-8; `WireError.tooLarge` past the arena's limit.
    public init(decoding bytes: ByteBuffer, as schema: MessageSchema) throws(WireError) {
        let result = bytes.withUnsafeReadableBytes { raw in
            Arena.with(limit: Arena.decodingLimit(forEncodedBytes: raw.count)) { arena -> Result<DynamicMessage, WireError> in
                let data = raw.baseAddress ?? UnsafeRawPointer(arena.raw)
                guard let unpacked = protobuf_c_message_unpack(schema.descriptor, arena.allocator, raw.count, data.assumingMemoryBound(to: UInt8.self)) else {
                    return .failure(arena.isExhausted ? .tooLarge("a \(raw.count)-byte \(schema.name) is too large to unpack") : .malformed("payload is not a valid \(schema.name)"))
                }
                return Result { () throws(WireError) in try DynamicMessage(struct: UnsafeRawPointer(unpacked), schema: schema) }
            }
        }
        self = try result.get()
    }

    /// Reads the fields of an unpacked struct at `base`, as protoc-c lays it out.
    init(struct base: UnsafeRawPointer, schema: MessageSchema) throws(WireError) {
        var values: [UInt32: DynamicValue] = [:]
        for field in schema.fields {
            if field.label == .repeated {
                let count = base.load(fromByteOffset: field.quantifierOffset, as: Int.self)
                guard count > 0 else { continue }
                guard let elements = base.load(fromByteOffset: field.offset, as: UnsafeRawPointer?.self) else {
                    throw .malformed("\(schema.name).\(field.name) has \(count) elements and no array")
                }
                let stride = Self.size(of: field.kind)
                var list: [DynamicValue] = []
                list.reserveCapacity(count)
                for index in 0..<count {
                    guard let value = try Self.read(field.kind, at: elements + index * stride) else {
                        throw .malformed("\(schema.name).\(field.name) has a null element")
                    }
                    list.append(value)
                }
                values[field.number] = .list(list)
                continue
            }
            if field.isOneofMember {
                guard base.load(fromByteOffset: field.quantifierOffset, as: UInt32.self) == field.number else { continue }
            } else if field.label == .optional, Self.hasPresenceFlag(field.kind) {
                guard base.load(fromByteOffset: field.quantifierOffset, as: Int32.self) != 0 else { continue }
            }
            guard let value = try Self.read(field.kind, at: base + field.offset) else { continue }
            if field.label == .singular, Self.isDefault(value) { continue }
            values[field.number] = value
        }
        self.init(schema: schema, values: values)
    }

    /// Strings and messages are present when their pointer is; other kinds keep a `has_` flag.
    private static func hasPresenceFlag(_ kind: FieldSchema.Kind) -> Bool {
        switch kind {
        case .string, .message: false
        default: true
        }
    }

    /// The bytes one value takes in a protoc-c struct or array.
    private static func size(of kind: FieldSchema.Kind) -> Int {
        switch kind {
        case .int32, .sint32, .sfixed32, .uint32, .fixed32, .enumeration, .float: 4
        case .bool: MemoryLayout<protobuf_c_boolean>.size
        case .int64, .sint64, .sfixed64, .uint64, .fixed64, .double: 8
        case .string, .message: MemoryLayout<UnsafeRawPointer?>.size
        case .bytes: MemoryLayout<ProtobufCBinaryData>.size
        }
    }

    /// The value at `address`; nil for a NULL string or message pointer.
    private static func read(_ kind: FieldSchema.Kind, at address: UnsafeRawPointer) throws(WireError) -> DynamicValue? {
        switch kind {
        case .int32, .sint32, .sfixed32: .int(Int64(address.loadUnaligned(as: Int32.self)))
        case .int64, .sint64, .sfixed64: .int(address.loadUnaligned(as: Int64.self))
        case .uint32, .fixed32: .uint(UInt64(address.loadUnaligned(as: UInt32.self)))
        case .uint64, .fixed64: .uint(address.loadUnaligned(as: UInt64.self))
        case .enumeration: .enumeration(address.loadUnaligned(as: Int32.self))
        case .bool: .bool(address.loadUnaligned(as: protobuf_c_boolean.self) != 0)
        case .float: .double(Double(address.loadUnaligned(as: Float.self)))
        case .double: .double(address.loadUnaligned(as: Double.self))
        case .string:
            try address.load(as: UnsafePointer<CChar>?.self).map { pointer throws(WireError) in .string(try CBridge.string(pointer)) }
        case .bytes:
            .bytes(Self.bytes(address.load(as: ProtobufCBinaryData.self)))
        case .message(let type):
            try address.load(as: UnsafeRawPointer?.self).map { pointer throws(WireError) in
                .message(try DynamicMessage(struct: pointer, schema: MessageSchema(UnsafePointer(bitPattern: type.address)!)))
            }
        }
    }

    private static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let pointer = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: data.len))
    }
}
