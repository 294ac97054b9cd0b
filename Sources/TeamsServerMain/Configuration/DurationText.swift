/// Durations as written in flags and environment variables: a whole number and a
/// unit, `ms`, `s`, `m` or `h` (`500ms`, `30s`, `2m`, `1h`), or a bare `0`.
///
/// Nothing else is read: no bare numbers but 0 (is `30` seconds or milliseconds?),
/// no signs, no fractions, no spaces, no combinations like `1h30m`.
enum DurationText {
    /// The duration `text` names, or nil if it is not written as above or does not
    /// fit in a `Duration` of whole seconds counted in `Int64`.
    static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        let digits = text.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let count = Int64(digits) else { return nil }
        let secondsPerUnit: Int64
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(count)
        case "s": secondsPerUnit = 1
        case "m": secondsPerUnit = 60
        case "h": secondsPerUnit = 3_600
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: secondsPerUnit)
        return overflow ? nil : .seconds(seconds)
    }

    /// `duration` in the largest unit that writes it exactly, as `parse` reads it:
    /// `0`, `15m`, `20s`, `1500ms`. Below a millisecond is dropped.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 {
            if seconds == 0 { return "0" }
            if seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
            if seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        return "\(seconds * 1_000 + attoseconds / 1_000_000_000_000_000)ms"
    }
}
