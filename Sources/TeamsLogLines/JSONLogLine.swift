import Logging
import TeamsSupport

/// One JSON object per line (`--log-format json`):
///
///     {"time":"2026-12-02T14:00:00.123Z","level":"info","logger":"teams-server","message":"call","method":"/teams.v1.TeamService/GetTeam",...}
///
/// `time` (UTC, milliseconds), `level`, `logger` and `message` come first, then the
/// metadata (the handler's, then the entry's) sorted by key, with its keys as they
/// are: for a call, `method`, `status`, `duration_us`, `request_id`, `traceparent`,
/// `call_id`, `peer` and `caller`. A metadata key named like one of the first four
/// is left out. Every value is a JSON string.
public enum JSONLogLine: LogLineFormat {
    public static func appendLine(
        time: Int64, level: Logger.Level, label: String, message: String, fields: [LogField], to line: inout [UInt8]
    ) {
        line.append(contentsOf: #"{"time":""#.utf8)
        UTCTimestamp.append(unixMilliseconds: time, to: &line)
        line.append(contentsOf: #"","level":"#.utf8)
        appendQuoted(level.rawValue, to: &line)
        line.append(contentsOf: #","logger":"#.utf8)
        appendQuoted(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        appendQuoted(message, to: &line)
        for field in fields where !isReserved(field.key) {
            line.append(UInt8(ascii: ","))
            appendQuoted(field.key, to: &line)
            line.append(UInt8(ascii: ":"))
            appendQuoted(field.value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
    }

    /// A key of the fixed fields; compared, not hashed, since every field of every line asks.
    private static func isReserved(_ key: String) -> Bool {
        key == "time" || key == "level" || key == "logger" || key == "message"
    }

    /// Appends `text` as a JSON string literal: quotes, backslashes and control characters
    /// escaped. Each of those is one byte of UTF-8, and no byte of a longer character is
    /// below 0x80, so the bytes are escaped one by one.
    static func appendQuoted(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): line.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: #"\t"#.utf8)
            case ..<0x20:
                let low = byte & 0xF
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(UInt8(ascii: "0") + byte >> 4)
                line.append(low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10)
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}
