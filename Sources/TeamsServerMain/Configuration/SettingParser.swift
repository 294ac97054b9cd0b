import Foundation
import Logging
import TeamsLogLines

/// How the text of one setting, from a flag or an environment variable, becomes its
/// value, and back.
///
/// `parse` returns nil for any text it does not accept (it never guesses: `abc` is
/// no port, `30` is no duration); the caller then reports `expected`, which says in
/// words what is accepted and completes "expected …". `format` writes a value the
/// way `parse` reads it, for help texts and the start-up log line.
struct SettingParser<Value: Sendable>: Sendable {
    /// What is accepted, e.g. "a port from 0 to 65535".
    let expected: String
    /// The placeholder in `--help`, e.g. `<duration>`.
    let valueName: String
    let parse: @Sendable (String) -> Value?
    let format: @Sendable (Value) -> String
}

extension SettingParser where Value == String {
    /// A host name or IP address: not empty and without white space.
    static var host: Self {
        Self(
            expected: "a host name or IP address without spaces", valueName: "host",
            parse: { text in !text.isEmpty && !text.contains(where: \.isWhitespace) ? text : nil },
            format: { $0 })
    }
}

extension SettingParser where Value == String? {
    /// A path to a file this process can read; unset by default.
    static var readableFile: Self {
        Self(
            expected: "the path of a readable file", valueName: "file",
            parse: { text in FileManager.default.isReadableFile(atPath: text) ? .some(text) : nil },
            format: { $0 ?? "none" })
    }
}

extension SettingParser where Value == Int {
    /// A TCP port, 0 to 65535 (0: the system picks a free one).
    static var port: Self {
        Self(
            expected: "a port from 0 to 65535", valueName: "port",
            parse: { text in Int(text).flatMap { (0...65_535).contains($0) ? $0 : nil } },
            format: { "\($0)" })
    }

    /// A whole number in `range`, written in decimal digits.
    static func wholeNumber(in range: ClosedRange<Int>) -> Self {
        Self(
            expected: "a whole number from \(range.lowerBound) to \(range.upperBound)", valueName: "n",
            parse: { text in Int(text).flatMap { range.contains($0) ? $0 : nil } },
            format: { "\($0)" })
    }
}

extension SettingParser where Value == Int? {
    /// A TCP port, 0 to 65535, or unset (off).
    static var optionalPort: Self {
        Self(
            expected: "a port from 0 to 65535", valueName: "port",
            parse: { text in SettingParser<Int>.port.parse(text).map { .some($0) } },
            format: { $0.map { "\($0)" } ?? "off" })
    }
}

extension SettingParser where Value == LogFormat {
    static var logFormat: Self {
        Self(
            expected: "text or json", valueName: "format",
            parse: { text in LogFormat(rawValue: text.lowercased()) },
            format: { $0.rawValue })
    }
}

extension SettingParser where Value == UInt32 {
    /// A number of bytes in `range`, written in decimal digits.
    static func byteCount(in range: ClosedRange<UInt32>) -> Self {
        Self(
            expected: "a whole number of bytes from \(range.lowerBound) to \(range.upperBound)", valueName: "bytes",
            parse: { text in UInt32(text).flatMap { range.contains($0) ? $0 : nil } },
            format: { "\($0)" })
    }
}

extension SettingParser where Value == Double {
    /// A number of days greater than 0 and at most `maximum`; fractions allowed (`0.5`).
    static func days(atMost maximum: Double) -> Self {
        Self(
            expected: "a number of days greater than 0 and at most \(decimal(maximum))", valueName: "days",
            parse: { text in Double(text).flatMap { $0 > 0 && $0 <= maximum ? $0 : nil } },
            format: { decimal($0) })
    }
}

extension SettingParser where Value == Duration {
    /// A duration written as whole milliseconds, seconds, minutes or hours: `500ms`,
    /// `30s`, `2m`, `1h` (see `DurationText`).
    /// - Parameter zero: what `0` means, completing "or 0 to …" (e.g. "disable");
    ///   nil when the duration must be greater than 0.
    static func duration(zero: String?) -> Self {
        let expected: String
        if let zero {
            expected = "a duration like 500ms, 30s, 2m or 1h, or 0 to \(zero)"
        } else {
            expected = "a duration greater than 0, like 500ms, 30s, 2m or 1h"
        }
        return Self(
            expected: expected, valueName: "duration",
            parse: { text in
                guard let duration = DurationText.parse(text) else { return nil }
                return duration > .zero || zero != nil ? duration : nil
            },
            format: { DurationText.format($0) })
    }
}

extension SettingParser where Value == Bool {
    /// `1`, `true`, `yes` or `0`, `false`, `no`, in any case.
    static var boolean: Self {
        Self(
            expected: "1, true, yes, 0, false or no", valueName: "bool",
            parse: { text in
                switch text.lowercased() {
                case "1", "true", "yes": return true
                case "0", "false", "no": return false
                default: return nil
                }
            },
            format: { $0 ? "true" : "false" })
    }
}

extension SettingParser where Value == Logger.Level {
    /// One of swift-log's levels by name (`trace` … `critical`), in any case.
    static var logLevel: Self {
        Self(
            expected: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "), valueName: "level",
            parse: { text in Logger.Level(rawValue: text.lowercased()) },
            format: { $0.rawValue })
    }
}

extension SettingParser where Value == StoreChoice {
    /// `memory`, `sqlite:PATH` or `dynamodb:TABLE`, as `StoreChoice(argument:)` reads them.
    static var store: Self {
        Self(
            expected: "memory, sqlite:PATH or dynamodb:TABLE (TABLE: 3 to 249 of a-z A-Z 0-9 _ - .)", valueName: "store",
            parse: { text in StoreChoice(argument: text) },
            format: { $0.description })
    }
}

/// `7` for 7.0, `0.5` for 0.5: a Double as a reader would write it.
private func decimal(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
}
