import Foundation
import Logging

/// Writes each entry to stderr as one JSON object on one line:
///
///     {"time":"2026-12-02T14:00:00.123Z","level":"info","logger":"teams-server","message":"call","method":"/teams.v1.TeamService/GetTeam",...}
///
/// `time` (UTC, milliseconds), `level`, `logger` and `message` come first, then the
/// metadata (the handler's, then the entry's) with its keys as they are: for a call,
/// `method`, `status`, `duration_us`, `request_id`, `traceparent`, `call_id`, `peer`
/// and `caller`. Every value is a JSON string. A line is written with one `write(2)`,
/// so lines from several threads do not interleave.
struct JSONLogHandler: LogHandler {
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
        FileHandle.standardError.write(Data(line(event).utf8))
    }

    /// The line for `event`, newline included.
    func line(_ event: LogEvent) -> String {
        var fields: [(String, String)] = [
            ("time", Self.timestamp(Date())), ("level", event.level.rawValue), ("logger", label), ("message", event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, entry in entry }
        for key in merged.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
            fields.append((key, merged[key]!.description))
        }
        var line = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line += "," }
            line += Self.quoted(key) + ":" + Self.quoted(value)
        }
        return line + "}\n"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
