import Foundation
import Logging

/// Writes each entry to stderr as one line in `Format` (`--log-format`): text or JSON.
/// A line is written whole (`StandardError`), so lines from several threads do not interleave.
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { _, entry in entry }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        let time = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        Format.appendLine(time: time, level: event.level, label: label, message: event.message.description, fields: LogField.sorted(merged), to: &line)
        StandardError.write(line)
    }
}
