import TeamsWire

/// Call metadata: ordered key/value pairs sent with a request or a response.
///
/// Keys are compared as given; by convention they are lower-case ASCII. The server
/// echoes a request's `request-id` in its response.
public struct Metadata: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    public static let requestIDKey = "request-id"

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { Entry(key: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The first value for `key`.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    public mutating func append(_ key: String, _ value: String) {
        entries.append(Entry(key: key, value: value))
    }

    var message: MetadataMessage { MetadataMessage(entries: entries.map { ($0.key, $0.value) }) }

    init(_ message: MetadataMessage) {
        self.entries = message.entries.map { Entry(key: $0.key, value: $0.value) }
    }
}
