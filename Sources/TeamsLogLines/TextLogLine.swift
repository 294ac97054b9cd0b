import Logging
import TeamsSupport

/// One line of text per entry (`--log-format text`, the default), for a terminal:
///
///     2026-12-02T14:00:00.123Z notice teams-server : caller=writer-1 method=/teams.v1.TeamService/DeleteTeam message="two words" call
///
/// The time (UTC), the level and the logger's label, then the metadata sorted by
/// key as `key=value`, then the message. Nothing a peer sends can start a line or
/// pass for another field: in every part, control characters, line and paragraph
/// separators and bidirectional controls are escaped (`\n`, `\u{202E}`), backslashes
/// doubled, and a value holding a space, `"` or `=` is quoted.
public enum TextLogLine: LogLineFormat {
    public static func appendLine(
        time: Int64, level: Logger.Level, label: String, message: String, fields: [LogField], to line: inout [UInt8]
    ) {
        UTCTimestamp.append(unixMilliseconds: time, to: &line)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: level.rawValue.utf8)
        line.append(UInt8(ascii: " "))
        appendEscaped(label, to: &line)
        line.append(UInt8(ascii: " "))
        line.append(UInt8(ascii: ":"))
        for field in fields {
            line.append(UInt8(ascii: " "))
            appendEscaped(field.key, to: &line)
            line.append(UInt8(ascii: "="))
            appendValue(field.value, to: &line)
        }
        line.append(UInt8(ascii: " "))
        appendEscaped(message, to: &line)
        line.append(UInt8(ascii: "\n"))
    }

    /// Appends `escaped(text)`.
    static func appendEscaped(_ text: String, to line: inout [UInt8]) {
        if isPlain(text) { return line.append(contentsOf: text.utf8) }
        line.append(contentsOf: escaped(text).utf8)
    }

    /// Appends `value(text)`.
    static func appendValue(_ text: String, to line: inout [UInt8]) {
        guard isPlain(text) else { return line.append(contentsOf: value(text).utf8) }
        guard needsQuotes(plain: text) else { return line.append(contentsOf: text.utf8) }
        line.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") { line.append(UInt8(ascii: "\\")) }
            line.append(byte)
        }
        line.append(UInt8(ascii: "\""))
    }

    /// `text` escaped, and quoted when it holds a space, a quote or `=` (or nothing).
    static func value(_ text: String) -> String {
        if isPlain(text) { return needsQuotes(plain: text) ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text }
        let escaped = escaped(text)
        let quoted =
            escaped.utf8.allSatisfy { $0 < 0x80 }
            ? escaped.isEmpty || escaped.utf8.contains { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }
            : escaped.unicodeScalars.contains { $0 == "\"" || $0 == "=" || $0.properties.isWhitespace }
        guard quoted else { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `text` with every character that could end or reorder a line written as an escape.
    static func escaped(_ text: String) -> String {
        if isPlain(text) { return text }
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

    /// Printable ASCII without a backslash, which needs no escape: most text, decided
    /// in one scan of its bytes without the per-scalar lookups.
    private static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }
    }

    private static func needsQuotes(plain text: String) -> Bool {
        text.isEmpty || text.utf8.contains { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: scalar == "\\" || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            || scalar.value == 0x200E || scalar.value == 0x200F || scalar.value == 0x061C
        }
    }
}
