import Foundation

/// Parser for the INI format of `~/.aws/credentials`.
///
/// ```
/// # comment            ; comment
/// [default]
/// aws_access_key_id = AKIA...
/// aws_secret_access_key=abc/def+ghi=
/// ```
///
/// Sections map to profiles (the credentials file names them without the `profile `
/// prefix that `~/.aws/config` uses; a `[profile name]` header is accepted too). Keys
/// are lowercased, keys and values trimmed, and a value is split at the first `=` only,
/// so secrets may contain `=`. Lines before any section, and lines that are not
/// `key = value`, are ignored, as botocore does for this file. A repeated section is
/// merged; a repeated key keeps its last value.
enum SharedCredentialsFile {
    static func parse(_ contents: String) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in contents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { current = nil; continue }
                var name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") {
                    name = name.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                }
                current = name
                profiles[name, default: [:]] = profiles[name] ?? [:]
                continue
            }
            guard let profile = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            profiles[profile, default: [:]][key] = value
        }
        return profiles
    }
}
