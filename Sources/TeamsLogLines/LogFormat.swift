import Logging

/// How log entries are written to stderr (`--log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One line of text per entry (`TextLogLine`), escaped so a peer cannot forge a line.
    case text
    /// One JSON object per line with fixed field names (`JSONLogLine`), for a log pipeline.
    case json

    /// Bootstraps swift-log once for the process.
    public func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label -> any LogHandler in
            switch self {
            case .text: return LineLogHandler<TextLogLine>(label: label, level: level)
            case .json: return LineLogHandler<JSONLogLine>(label: label, level: level)
            }
        }
    }

    /// Appends an entry's line in this format; see `LogLineFormat.appendLine`.
    public func appendLine(time: Int64, level: Logger.Level, label: String, message: String, fields: [LogField], to line: inout [UInt8]) {
        switch self {
        case .text: TextLogLine.appendLine(time: time, level: level, label: label, message: message, fields: fields, to: &line)
        case .json: JSONLogLine.appendLine(time: time, level: level, label: label, message: message, fields: fields, to: &line)
        }
    }
}
