import Logging

/// How one log entry is written: one line, newline included, as UTF-8.
public protocol LogLineFormat {
    /// Appends the line for an entry logged at `time` (milliseconds since 1970, UTC).
    /// - Parameter fields: the entry's metadata as `key=value` pairs, sorted by key
    ///   (`LogFields.sorted(_:)`), each key once.
    static func appendLine(
        time: Int64, level: Logger.Level, label: String, message: String, fields: [LogField], to line: inout [UInt8])
}

/// One metadata entry of a log line.
public struct LogField: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    /// `metadata` as fields sorted by key, each value as its `description`.
    public static func sorted(_ metadata: Logger.Metadata) -> [LogField] {
        metadata.map { LogField($0.key, $0.value.description) }.sorted { $0.key < $1.key }
    }
}
