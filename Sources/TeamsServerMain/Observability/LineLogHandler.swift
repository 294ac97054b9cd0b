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
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { _, entry in entry }
        var line = Format.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged)
        line.withUTF8 { bytes in Self.writeToStandardError(bytes) }
    }

    /// Writes all of `bytes`, however many `write(2)` calls that takes; a failed write drops the rest.
    private static func writeToStandardError(_ bytes: UnsafeBufferPointer<UInt8>) {
        var written = 0
        while written < bytes.count {
            let result = write(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
            if result > 0 {
                written += result
            } else if result < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
