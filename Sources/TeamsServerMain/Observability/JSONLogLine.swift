import Foundation
import Logging
import TeamsSupport

/// One JSON object per line (`--log-format json`):
///
///     {"time":"2026-12-02T14:00:00.123Z","level":"info","logger":"teams-server","message":"call","method":"/teams.v1.TeamService/GetTeam",...}
///
/// `time` (UTC, milliseconds), `level`, `logger` and `message` come first, then the
/// metadata (the handler's, then the entry's) with its keys as they are: for a call,
/// `method`, `status`, `duration_us`, `request_id`, `traceparent`, `call_id`, `peer`
/// and `caller`. Every value is a JSON string.
enum JSONLogLine: LogLineFormat {
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [("time", timestamp(time)), ("level", level.rawValue), ("logger", label), ("message", message)]
        for key in metadata.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
            fields.append((key, metadata[key]!.description))
        }
        var line = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line += "," }
            line += quoted(key) + ":" + quoted(value)
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

    /// UTC with milliseconds, as both formats write it.
    static func timestamp(_ date: Date) -> String {
        UTCTimestamp.text(unixMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
