import Foundation
import Logging

/// One line of text per entry (`--log-format text`, the default), for a terminal:
///
///     2026-12-02T14:00:00.123Z notice teams-server : caller=writer-1 method=/teams.v1.TeamService/DeleteTeam message="two words" call
///
/// The time (UTC), the level and the logger's label, then the metadata sorted by
/// key as `key=value`, then the message. Nothing a peer sends can start a line or
/// pass for another field: in every part, control characters, line and paragraph
/// separators and bidirectional controls are escaped (`\n`, `\u{202E}`), backslashes
/// doubled, and a value holding a space, `"` or `=` is quoted.
enum TextLogLine: LogLineFormat {
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = JSONLogLine.timestamp(time)
        line.reserveCapacity(256)
        line.append(" ")
        line.append(level.rawValue)
        line.append(" ")
        line.append(escaped(label))
        line.append(" :")
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(" ")
            line.append(escaped(key))
            line.append("=")
            line.append(Self.value(value.description))
        }
        line.append(" ")
        line.append(escaped(message))
        line.append("\n")
        return line
    }

    /// `text` escaped, and quoted when it holds a space, a quote or `=` (or nothing).
    static func value(_ text: String) -> String {
        // Printable ASCII without a backslash needs no escape: one scan decides the quotes.
        var plain = true
        var needsQuotes = text.isEmpty
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else {
                plain = false
                break
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=") { needsQuotes = true }
        }
        if plain { return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text }
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
        // Most text is printable ASCII, which needs no escape: skip the per-scalar lookups.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) { return text }
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
