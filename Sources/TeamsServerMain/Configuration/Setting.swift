import ArgumentParser

/// One setting of `teams-server`: its flag, its environment variable, its default,
/// and how its text is read (`SettingParser`). `ServerOptions` lists them all; the
/// command's `@Option`s take their names and help from there.
struct Setting<Value: Sendable>: Sendable {
    /// The long flag without its dashes: `port` for `--port`.
    let name: String
    /// `TEAMS_PORT`.
    let environmentVariable: String
    /// The start of the help text, e.g. "Port to listen on; 0 picks a free one".
    let summary: String
    let defaultValue: Value
    /// The default as the help text shows it; `parser.format(defaultValue)` unless
    /// the default depends on the machine ("one per core").
    let defaultDescription: String
    let parser: SettingParser<Value>

    init(
        name: String, environmentVariable: String, summary: String, defaultValue: Value,
        defaultDescription: String? = nil, parser: SettingParser<Value>
    ) {
        self.name = name
        self.environmentVariable = environmentVariable
        self.summary = summary
        self.defaultValue = defaultValue
        self.defaultDescription = defaultDescription ?? parser.format(defaultValue)
        self.parser = parser
    }

    /// `--port`.
    var flag: String { "--\(name)" }

    /// The help of its flag: the summary, the default and the variable.
    var help: ArgumentHelp {
        ArgumentHelp("\(summary); default \(defaultDescription) (env \(environmentVariable)).", valueName: parser.valueName)
    }

    /// The flag's value if it was given (even empty), else the environment
    /// variable's if it is set and not empty, else the default.
    /// - Throws: `ConfigurationError.invalidFlag` or `.invalidEnvironmentVariable`
    ///   if the value used does not parse; a bad variable behind a given flag is not read.
    func resolve(flag value: String?, environment: [String: String]) throws(ConfigurationError) -> Value {
        if let value {
            guard let parsed = parser.parse(value) else {
                throw ConfigurationError.invalidFlag(flag: flag, value: value, expected: parser.expected)
            }
            return parsed
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            guard let parsed = parser.parse(value) else {
                throw ConfigurationError.invalidEnvironmentVariable(name: environmentVariable, value: value, expected: parser.expected)
            }
            return parsed
        }
        return defaultValue
    }
}
