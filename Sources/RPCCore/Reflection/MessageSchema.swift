import CRPCProtobuf

/// A message type of `proto/` as its protoc-c descriptor describes it: its fields
/// by name, number and type. For tools that handle messages they were not written
/// for: `teams call` builds requests from JSON with it, `teams describe` prints it.
public struct MessageSchema: Sendable, Hashable {
    /// The full protobuf name, e.g. `teams.v1.Team`.
    public let name: String
    /// In field number order, as protoc-c lists them.
    public let fields: [FieldSchema]
    /// The protoc-c descriptor, as an address (descriptors are static data).
    let descriptorAddress: UInt

    /// The schema of a generated message type; nil for a type with no protoc-c descriptor.
    public init?(_ type: WireMessageType) {
        guard let descriptor = UnsafePointer<ProtobufCMessageDescriptor>(bitPattern: type.address) else { return nil }
        self.init(descriptor)
    }

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        name = String(cString: descriptor.pointee.name)
        descriptorAddress = UInt(bitPattern: descriptor)
        fields = (0..<Int(descriptor.pointee.n_fields)).map { FieldSchema(descriptor.pointee.fields[$0]) }
    }

    var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        UnsafePointer(bitPattern: descriptorAddress)!
    }

    /// The field called `name` in the .proto (`team_id`) or in JSON (`teamId`).
    public func field(named name: String) -> FieldSchema? {
        fields.first { $0.name == name || $0.jsonName == name }
    }

    /// The message as a .proto would declare it, its nested types named in full.
    public var declaration: String {
        let lines = fields.map { field in
            "  \(field.label == .repeated ? "repeated " : field.label == .optional ? "optional " : "")\(field.kind) \(field.name) = \(field.number);"
        }
        return (["message \(name) {"] + lines + ["}"]).joined(separator: "\n")
    }
}

/// One field of a `MessageSchema`.
public struct FieldSchema: Sendable, Hashable {
    public enum Label: Sendable, Hashable {
        /// proto3's plain field: a default value is not sent.
        case singular
        /// Sent when set, whatever its value (proto2 `optional`, proto3 `optional`, a oneof member).
        case optional
        case repeated
    }

    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case int32, sint32, sfixed32, int64, sint64, sfixed64
        case uint32, fixed32, uint64, fixed64
        case bool, float, double, string, bytes
        case enumeration(EnumSchema)
        /// The nested type; `MessageSchema(type)` gives its fields.
        case message(WireMessageType)

        public var description: String {
            switch self {
            case .int32: "int32"
            case .sint32: "sint32"
            case .sfixed32: "sfixed32"
            case .int64: "int64"
            case .sint64: "sint64"
            case .sfixed64: "sfixed64"
            case .uint32: "uint32"
            case .fixed32: "fixed32"
            case .uint64: "uint64"
            case .fixed64: "fixed64"
            case .bool: "bool"
            case .float: "float"
            case .double: "double"
            case .string: "string"
            case .bytes: "bytes"
            case .enumeration(let schema): schema.name
            case .message(let type): type.name
            }
        }
    }

    /// As the .proto names it: `team_id`.
    public let name: String
    /// proto3 JSON's name: `teamId`.
    public let jsonName: String
    public let number: UInt32
    public let label: Label
    public let kind: Kind
    /// Repeated numbers travel packed (proto3's default).
    public let isPacked: Bool
    /// Where protoc-c's struct keeps the value, and its count, presence flag or oneof case.
    let offset: Int
    let quantifierOffset: Int
    let isOneofMember: Bool

    init(_ field: ProtobufCFieldDescriptor) {
        name = String(cString: field.name)
        jsonName = Self.lowerCamelCase(name)
        number = field.id
        let flags = field.flags
        isOneofMember = flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0
        isPacked = flags & UInt32(PROTOBUF_C_FIELD_FLAG_PACKED.rawValue) != 0
        switch field.label {
        case PROTOBUF_C_LABEL_REPEATED: label = .repeated
        case PROTOBUF_C_LABEL_OPTIONAL: label = .optional
        default: label = isOneofMember ? .optional : .singular
        }
        offset = Int(field.offset)
        quantifierOffset = Int(field.quantifier_offset)
        switch field.type {
        case PROTOBUF_C_TYPE_INT32: kind = .int32
        case PROTOBUF_C_TYPE_SINT32: kind = .sint32
        case PROTOBUF_C_TYPE_SFIXED32: kind = .sfixed32
        case PROTOBUF_C_TYPE_INT64: kind = .int64
        case PROTOBUF_C_TYPE_SINT64: kind = .sint64
        case PROTOBUF_C_TYPE_SFIXED64: kind = .sfixed64
        case PROTOBUF_C_TYPE_UINT32: kind = .uint32
        case PROTOBUF_C_TYPE_FIXED32: kind = .fixed32
        case PROTOBUF_C_TYPE_UINT64: kind = .uint64
        case PROTOBUF_C_TYPE_FIXED64: kind = .fixed64
        case PROTOBUF_C_TYPE_BOOL: kind = .bool
        case PROTOBUF_C_TYPE_FLOAT: kind = .float
        case PROTOBUF_C_TYPE_DOUBLE: kind = .double
        case PROTOBUF_C_TYPE_STRING: kind = .string
        case PROTOBUF_C_TYPE_BYTES: kind = .bytes
        case PROTOBUF_C_TYPE_ENUM:
            kind = .enumeration(EnumSchema(field.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)))
        default:
            kind = .message(WireMessageType(field.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)))
        }
    }

    /// `team_id` → `teamId`, as protoc does for JSON.
    static func lowerCamelCase(_ name: String) -> String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else {
                result.append(upperNext ? Character(character.uppercased()) : character)
                upperNext = false
            }
        }
        return result
    }
}

/// An enum of `proto/`: its values by name and number.
public struct EnumSchema: Sendable, Hashable {
    public let name: String
    public let values: [(name: String, number: Int32)]

    init(_ descriptor: UnsafePointer<ProtobufCEnumDescriptor>) {
        name = String(cString: descriptor.pointee.name)
        values = (0..<Int(descriptor.pointee.n_values)).map { index in
            let value = descriptor.pointee.values[index]
            return (String(cString: value.name), Int32(value.value))
        }
    }

    public func name(of number: Int32) -> String? { values.first { $0.number == number }?.name }
    public func number(of name: String) -> Int32? { values.first { $0.name == name }?.number }

    public static func == (left: EnumSchema, right: EnumSchema) -> Bool {
        left.name == right.name && left.values.elementsEqual(right.values) { $0 == $1 }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
