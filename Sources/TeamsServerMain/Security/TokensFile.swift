import Foundation
import TeamsService

/// `--auth-tokens FILE`: one caller per line, `NAME ROLE SHA256HEX`, where the
/// hash is of the caller's token (so the file holds no secret) or `-` for a caller
/// known only by its client certificate. `#` starts a comment; blank lines are skipped.
struct TokensFile: Sendable {
    struct Entry: Sendable, Equatable {
        let name: String
        let role: Role
        /// SHA-256 of the token; nil for a certificate-only caller.
        let tokenDigest: [UInt8]?
    }

    let path: String
    let entries: [Entry]

    /// - Throws: `TokensFileError` naming the file and line.
    static func load(_ path: String) throws(TokensFileError) -> TokensFile {
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
                    throw .invalid(path: path, line: number, reason: "the hash must be 64 hex digits (sha256sum of the token) or -")
                }
                digest = bytes
            }
            guard !entries.contains(where: { $0.name == name }) else {
                throw .invalid(path: path, line: number, reason: "caller \(name) is listed twice")
            }
            entries.append(Entry(name: name, role: role, tokenDigest: digest))
        }
        return TokensFile(path: path, entries: entries)
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
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
