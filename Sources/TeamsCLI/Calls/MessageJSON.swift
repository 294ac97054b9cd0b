import Foundation
import RPCCore

/// Messages as proto3's JSON mapping writes them, for `teams call`: fields by their
/// JSON name (the .proto name is accepted too), 64-bit integers as strings (numbers
/// are accepted), enums by name (or number), bytes as base64, defaults left out.
enum MessageJSON {
    /// Why JSON does not make a message of the schema: where, and why.
    struct Mismatch: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// Parses `text` as a JSON object of `schema`'s fields.
    static func message(from text: String, schema: MessageSchema) throws(Mismatch) -> DynamicMessage {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw Mismatch(path: "the request", reason: "not valid JSON")
        }
        return try message(from: object, schema: schema, path: schema.name)
    }

    static func message(from object: Any, schema: MessageSchema, path: String) throws(Mismatch) -> DynamicMessage {
        guard let fields = object as? [String: Any] else { throw Mismatch(path: path, reason: "expected a JSON object, got \(describe(object))") }
        var message = DynamicMessage(schema: schema)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let field = schema.field(named: key) else {
                throw Mismatch(path: path, reason: "no field \"\(key)\"; \(schema.name) has \(schema.fields.map(\.jsonName).joined(separator: ", "))")
            }
            if value is NSNull { continue }
            let fieldPath = "\(path).\(field.jsonName)"
            if field.label == .repeated {
                guard let elements = value as? [Any] else { throw Mismatch(path: fieldPath, reason: "expected a JSON array, got \(describe(value))") }
                var list: [DynamicValue] = []
                for (index, element) in elements.enumerated() {
                    list.append(try self.value(from: element, kind: field.kind, path: "\(fieldPath)[\(index)]"))
                }
                message.values[field.number] = .list(list)
            } else {
                message.values[field.number] = try self.value(from: value, kind: field.kind, path: fieldPath)
            }
        }
        return message
    }

    private static func value(from json: Any, kind: FieldSchema.Kind, path: String) throws(Mismatch) -> DynamicValue {
        func fail(_ expected: String) -> Mismatch { Mismatch(path: path, reason: "expected \(expected) for \(kind), got \(describe(json))") }
        switch kind {
        case .int32, .sint32, .sfixed32, .int64, .sint64, .sfixed64:
            guard let number = integerText(json).flatMap({ Int64($0) }) else { throw fail("an integer") }
            if [.int32, .sint32, .sfixed32].contains(kind), Int32(exactly: number) == nil { throw fail("a 32-bit integer") }
            return .int(number)
        case .uint32, .fixed32, .uint64, .fixed64:
            guard let number = integerText(json).flatMap({ UInt64($0) }) else { throw fail("a whole number of 0 or more") }
            if [.uint32, .fixed32].contains(kind), UInt32(exactly: number) == nil { throw fail("a 32-bit whole number") }
            return .uint(number)
        case .bool:
            guard isBoolean(json), let flag = json as? Bool else { throw fail("true or false") }
            return .bool(flag)
        case .float, .double:
            if let text = json as? String {
                guard let number = ["NaN": Double.nan, "Infinity": .infinity, "-Infinity": -.infinity][text] ?? Double(text) else { throw fail("a number") }
                return .double(number)
            }
            guard !isBoolean(json), let number = (json as? NSNumber)?.doubleValue else { throw fail("a number") }
            return .double(number)
        case .string:
            guard let text = json as? String else { throw fail("a string") }
            return .string(text)
        case .bytes:
            guard let text = json as? String, let data = Data(base64Encoded: text) else { throw fail("base64 text") }
            return .bytes(Array(data))
        case .enumeration(let schema):
            if let name = json as? String, let number = schema.number(of: name) { return .enumeration(number) }
            if !(json is String), let text = integerText(json), let number = Int32(text) { return .enumeration(number) }
            throw fail("one of \(schema.values.map(\.name).joined(separator: ", "))")
        case .message(let type):
            guard let schema = MessageSchema(type) else { throw Mismatch(path: path, reason: "\(type.name) has no schema") }
            return .message(try message(from: json, schema: schema, path: path))
        }
    }

    /// An integer as JSON gives it: a number without a fraction, or a string of digits.
    private static func integerText(_ json: Any) -> String? {
        if let text = json as? String { return text }
        guard !isBoolean(json), let number = json as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double else { return nil }
        return number.stringValue
    }

    /// JSON's true and false (Foundation gives them as NSNumber, like numbers).
    private static func isBoolean(_ json: Any) -> Bool {
        guard let number = json as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: json) == Bool.self
    }

    private static func describe(_ json: Any) -> String {
        switch json {
        case let text as String: quoted(text)
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case is NSNull: "null"
        default: isBoolean(json) ? ((json as? Bool) == true ? "true" : "false") : "\(json)"
        }
    }

    // MARK: Writing

    /// `message` as indented JSON, its fields in number order.
    static func text(of message: DynamicMessage, indent: String = "") -> String {
        let fields = message.presentFields
        guard !fields.isEmpty else { return "{}" }
        let inner = indent + "  "
        let members = fields.map { field, value in
            "\(inner)\(quoted(field.jsonName)): \(text(of: value, kind: field.kind, indent: inner))"
        }
        return "{\n" + members.joined(separator: ",\n") + "\n\(indent)}"
    }

    private static func text(of value: DynamicValue, kind: FieldSchema.Kind, indent: String) -> String {
        switch value {
        case .list(let elements):
            guard !elements.isEmpty else { return "[]" }
            let inner = indent + "  "
            return "[\n" + elements.map { inner + text(of: $0, kind: kind, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .int(let number):
            return [.int64, .sint64, .sfixed64].contains(kind) ? quoted("\(number)") : "\(number)"
        case .uint(let number):
            return [.uint64, .fixed64].contains(kind) ? quoted("\(number)") : "\(number)"
        case .double(let number):
            if number.isNaN { return quoted("NaN") }
            if number.isInfinite { return quoted(number > 0 ? "Infinity" : "-Infinity") }
            return "\(number)"
        case .bool(let flag):
            return flag ? "true" : "false"
        case .string(let string):
            return quoted(string)
        case .bytes(let bytes):
            return quoted(Data(bytes).base64EncodedString())
        case .enumeration(let number):
            guard case .enumeration(let schema) = kind, let name = schema.name(of: number) else { return "\(number)" }
            return quoted(name)
        case .message(let nested):
            return text(of: nested, indent: indent)
        }
    }

    /// A JSON string literal, escaped as Foundation's encoder escapes it.
    static func quoted(_ string: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(string)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
