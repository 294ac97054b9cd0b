import Logging

/// How log entries are written to stderr (`--log-format`).
enum LogFormat: String, Sendable, CaseIterable {
    /// One line of text per entry (`TextLogHandler`), escaped so a peer cannot forge a line.
    case text
    /// One JSON object per line with fixed field names (`JSONLogHandler`), for a log pipeline.
    case json

    /// Bootstraps swift-log once for the process.
    func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch self {
            case .text:
                return TextLogHandler(label: label, level: level)
            case .json:
                return JSONLogHandler(label: label, level: level)
            }
        }
    }
}
