import Foundation
import Logging

/// How a `LineLogHandler` writes one entry: one line, newline included.
protocol LogLineFormat {
    /// The line for an entry logged at `time`, with the handler's and the entry's metadata merged.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String
}

/// Writes each entry to stderr as one line in `Format` (`--log-format`): text or JSON.
/// A line is written with one `write(2)`, so lines from several threads do not interleave.
struct LineLogHandler<Format: LogLineFormat>: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, entry in entry }
        let line = Format.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
