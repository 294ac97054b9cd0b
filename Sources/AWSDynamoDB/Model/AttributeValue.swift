import Foundation

/// A DynamoDB attribute value, coded exactly as the JSON protocol writes it: an object
/// with one key naming the type.
///
/// ```
/// .s("x")         {"S":"x"}            .ss(["a"])    {"SS":["a"]}
/// .n("42")        {"N":"42"}           .ns(["1"])    {"NS":["1"]}
/// .b(data)        {"B":"<base64>"}     .bs([data])   {"BS":["<base64>"]}
/// .bool(true)     {"BOOL":true}        .l([...])     {"L":[...]}
/// .null           {"NULL":true}        .m([...])     {"M":{...}}
/// ```
///
/// Numbers stay strings, as on the wire, so no precision is lost (DynamoDB numbers
/// have 38 digits). Decoding throws `DecodingError.dataCorrupted` for an object that
/// does not have exactly one known type key.
public enum AttributeValue: Sendable, Hashable {
    case s(String)
    case n(String)
    case b(Data)
    case bool(Bool)
    case null
    case l([AttributeValue])
    case m([String: AttributeValue])
    case ss([String])
    case ns([String])
    case bs([Data])

    /// A number from any integer, e.g. `.number(42)`.
    public static func number<T: BinaryInteger>(_ value: T) -> AttributeValue {
        .n(String(value))
    }

    public var stringValue: String? {
        if case .s(let value) = self { value } else { nil }
    }

    /// The number's text; parse it with the type you need.
    public var numberValue: String? {
        if case .n(let value) = self { value } else { nil }
    }

    public var intValue: Int? {
        numberValue.flatMap { Int($0) }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    public var binaryValue: Data? {
        if case .b(let value) = self { value } else { nil }
    }

    public var listValue: [AttributeValue]? {
        if case .l(let value) = self { value } else { nil }
    }

    public var mapValue: [String: AttributeValue]? {
        if case .m(let value) = self { value } else { nil }
    }

    public var stringSetValue: [String]? {
        if case .ss(let value) = self { value } else { nil }
    }
}

extension AttributeValue: Codable {
    private enum CodingKeys: String, CodingKey {
        case s = "S", n = "N", b = "B", bool = "BOOL", null = "NULL"
        case l = "L", m = "M", ss = "SS", ns = "NS", bs = "BS"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: container.codingPath,
                debugDescription: "An AttributeValue has exactly one type key, found \(container.allKeys.map(\.stringValue))"
            ))
        }
        switch key {
        case .s: self = .s(try container.decode(String.self, forKey: key))
        case .n: self = .n(try container.decode(String.self, forKey: key))
        case .b: self = .b(try container.decode(Data.self, forKey: key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .null: self = .null
        case .l: self = .l(try container.decode([AttributeValue].self, forKey: key))
        case .m: self = .m(try container.decode([String: AttributeValue].self, forKey: key))
        case .ss: self = .ss(try container.decode([String].self, forKey: key))
        case .ns: self = .ns(try container.decode([String].self, forKey: key))
        case .bs: self = .bs(try container.decode([Data].self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .s(let value): try container.encode(value, forKey: .s)
        case .n(let value): try container.encode(value, forKey: .n)
        case .b(let value): try container.encode(value, forKey: .b)
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .null: try container.encode(true, forKey: .null)
        case .l(let value): try container.encode(value, forKey: .l)
        case .m(let value): try container.encode(value, forKey: .m)
        case .ss(let value): try container.encode(value, forKey: .ss)
        case .ns(let value): try container.encode(value, forKey: .ns)
        case .bs(let value): try container.encode(value, forKey: .bs)
        }
    }
}

extension AttributeValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .s(value)
    }
}

extension AttributeValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .n(String(value))
    }
}

extension AttributeValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}
