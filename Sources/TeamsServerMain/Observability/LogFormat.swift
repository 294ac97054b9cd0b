import Logging

/// How log entries are written to stderr (`--log-format`).
enum LogFormat: String, Sendable, CaseIterable {
    /// One line of text per entry (`TextLogLine`), escaped so a peer cannot forge a line.
    case text
    /// One JSON object per line with fixed field names (`JSONLogLine`), for a log pipeline.
    case json

    /// Bootstraps swift-log once for the process.
    func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label -> any LogHandler in
            switch self {
            case .text: return LineLogHandler<TextLogLine>(label: label, level: level)
            case .json: return LineLogHandler<JSONLogLine>(label: label, level: level)
            }
        }
    }
}
