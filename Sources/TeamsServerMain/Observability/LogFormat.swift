import Logging

/// How log entries are written to stderr (`--log-format`).
enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's own line: readable, for a terminal.
    case text
    /// One JSON object per line with fixed field names (`JSONLogHandler`), for a log pipeline.
    case json

    /// Bootstraps swift-log once for the process.
    func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            switch self {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, level: level)
            }
        }
    }
}
