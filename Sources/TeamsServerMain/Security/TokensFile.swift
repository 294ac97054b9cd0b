import Foundation
import TeamsService

/// `--auth-tokens FILE`: one caller per line, `NAME ROLE SHA256HEX`, where the
/// hash is of the caller's token (so the file holds no secret) or `-` for a caller
/// known only by its client certificate. `#` starts a comment; blank lines are skipped.
///
/// The file must be a regular file of at most `maximumBytes`, not writable by every
/// user (anyone could then name themselves a writer), and name at least one caller.
struct TokensFile: Sendable {
    struct Entry: Sendable, Equatable {
        let name: String
        let role: Role
        /// SHA-256 of the token; nil for a certificate-only caller.
        let tokenDigest: [UInt8]?
    }

    let path: String
    let entries: [Entry]

    static let maximumBytes = 1 << 20

    /// - Throws: `TokensFileError` naming the file, and the line when one is wrong.
    static func load(_ path: String) throws(TokensFileError) -> TokensFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(path: path, reason: "it is a directory, not a file")
        default: throw .unreadable(path: path, reason: "it is not a regular file")
        }
        guard status.st_mode & S_IWOTH == 0 else {
            throw .unreadable(path: path, reason: "it is writable by every user, who could add a caller of their own (chmod o-w \(path))")
        }
        guard status.st_size <= maximumBytes else {
            throw .unreadable(path: path, reason: "it is \(status.st_size) bytes, more than the \(maximumBytes) a tokens file may be")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws(TokensFileError) -> TokensFile {
        var entries: [Entry] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.prefix { $0 != "#" }
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { continue }
            let number = offset + 1
            guard fields.count == 3 else {
                throw .invalid(path: path, line: number, reason: "expected NAME ROLE SHA256HEX, got \(fields.count) fields")
            }
            let name = String(fields[0])
            guard let role = Role(rawValue: String(fields[1])) else {
                throw .invalid(path: path, line: number, reason: "role \"\(fields[1])\" is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var digest: [UInt8]?
            if fields[2] != "-" {
                guard let bytes = hexBytes(fields[2]), bytes.count == 32 else {
                    throw .invalid(path: path, line: number, reason: "the hash must be 64 lowercase hex digits (sha256sum of the token) or -")
                }
                digest = bytes
            }
            guard !entries.contains(where: { $0.name == name }) else {
                throw .invalid(path: path, line: number, reason: "caller \(name) is listed twice")
            }
            entries.append(Entry(name: name, role: role, tokenDigest: digest))
        }
        guard !entries.isEmpty else {
            throw .unreadable(path: path, reason: "it names no caller, so no call could be made; add a line NAME ROLE SHA256HEX")
        }
        return TokensFile(path: path, entries: entries)
    }

    /// The bytes of lowercase hex digits, as sha256sum writes them; nil for anything
    /// else (`UInt8(_:radix:)` would take a sign or uppercase).
    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[pair]), let low = nibble(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Why the tokens file cannot be used: one line naming it.
enum TokensFileError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, line: Int, reason: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the tokens file \(path): \(reason)"
        case .invalid(let path, let line, let reason): "\(path):\(line): \(reason)"
        }
    }
}
