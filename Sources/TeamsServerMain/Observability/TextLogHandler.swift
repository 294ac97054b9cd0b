import Foundation
import Logging

/// Writes each entry to stderr as one line of text, for a terminal:
///
///     2026-12-02T14:00:00.123Z notice teams-server : caller=writer-1 method=/teams.v1.TeamService/DeleteTeam message="two words" call
///
/// The time (UTC), the level and the logger's label, then the metadata sorted by
/// key as `key=value`, then the message. Nothing a peer sends can start a line or
/// pass for another field: in every part, control characters, line and paragraph
/// separators and bidirectional controls are escaped (`\n`, `\u{202E}`), backslashes
/// doubled, and a value holding a space, `"` or `=` is quoted. A line is written
/// with one `write(2)`, so lines from several threads do not interleave.
struct TextLogHandler: LogHandler {
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
        var line = JSONLogHandler.timestamp(Date()) + " " + event.level.rawValue + " " + Self.escaped(label) + " :"
        let merged = metadata.merging(event.metadata ?? [:]) { _, entry in entry }
        for key in merged.keys.sorted() {
            line += " " + Self.escaped(key) + "=" + Self.value(merged[key]!.description)
        }
        return line + " " + Self.escaped(event.message.description) + "\n"
    }

    /// `text` escaped, and quoted when it holds a space, a quote or `=` (or nothing).
    static func value(_ text: String) -> String {
        let escaped = escaped(text)
        guard escaped.isEmpty || escaped.unicodeScalars.contains(where: { $0 == "\"" || $0 == "=" || $0.properties.isWhitespace }) else {
            return escaped
        }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `text` with every character that could end or reorder a line written as an escape.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: scalar == "\\" || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            || scalar.value == 0x200E || scalar.value == 0x200F || scalar.value == 0x061C
        }
    }
}
