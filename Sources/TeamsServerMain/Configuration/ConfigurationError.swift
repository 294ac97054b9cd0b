/// A setting of `teams-server` whose value was not accepted. Start-up stops on the
/// first one, with `teams-server: ` and `description` on stderr and exit code 64
/// (`EX_USAGE`).
enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A command-line flag was given a value it does not accept.
    /// `flag` is as typed (`--threads`); `expected` completes "expected …".
    case invalidFlag(flag: String, value: String, expected: String)
    /// An environment variable holds a value it does not accept (empty values count
    /// as unset and never get here). `expected` completes "expected …".
    case invalidEnvironmentVariable(name: String, value: String, expected: String)
    /// Settings that are each valid but do not go together, or a file they name that cannot be used.
    case unusable(String)

    /// One line naming the flag or variable, the value and what is accepted:
    /// `--threads -1 is not valid: expected a whole number from 1 to 256`,
    /// `TEAMS_PORT=abc is not valid: expected a port from 0 to 65535`. A value that
    /// is empty or holds spaces, quotes or control characters is quoted and escaped,
    /// so the line stays one line and the value stays visible.
    var description: String {
        switch self {
        case .invalidFlag(let flag, let value, let expected):
            "\(flag) \(Self.shown(value)) is not valid: expected \(expected)"
        case .invalidEnvironmentVariable(let name, let value, let expected):
            "\(name)=\(Self.shown(value)) is not valid: expected \(expected)"
        case .unusable(let message):
            message
        }
    }

    private static func shown(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy(isPlain)
        return plain ? value : value.debugDescription
    }

    /// Not a space, a control character, a quote or a backslash.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return false }
        if scalar.properties.generalCategory == .control { return false }
        return scalar != "\"" && scalar != "\\"
    }
}
