/// The invariants every team keeps. `TeamInteractor` applies them to each request.
///
/// - A team name and a player name are trimmed of surrounding whitespace and are
///   then 1 to `maxNameLength` characters (grapheme clusters) and at most
///   `maxNameBytes` bytes of UTF-8. The byte cap bounds what one name costs to
///   store and index: one character may hold any number of combining marks.
/// - A name holds at least one visible character (a letter, digit, punctuation
///   mark or symbol), and none of these:
///   - control characters (a tab, a newline or a NUL inside a name is a mistake, and
///     SQLite's text functions end a string at NUL, so search could not see past one);
///   - line and paragraph separators (U+2028, U+2029), which end a line in logs and terminals;
///   - bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to
///     U+2069), which reorder how the text around a name is shown.
///   The joiners that emoji and some scripts need (U+200C, U+200D) are allowed.
/// - Player names are unique within a team, ignoring case.
/// - A squad holds at most `squadLimit` players (default 100), so a team always
///   fits one DynamoDB item (400 KB) with room to spare.
/// - A search term is at most `maxSearchTermBytes` bytes: no longer one could match a name.
public struct TeamRules: Sendable {
    public var maxNameLength: Int
    public var maxNameBytes: Int
    public var squadLimit: Int

    public static let `default` = TeamRules()

    public init(maxNameLength: Int = 100, maxNameBytes: Int = 256, squadLimit: Int = 100) {
        self.maxNameLength = maxNameLength
        self.maxNameBytes = maxNameBytes
        self.squadLimit = squadLimit
    }

    /// A term longer than the longest name matches none.
    public var maxSearchTermBytes: Int { maxNameBytes }

    /// The trimmed search term, or `.invalidArgument` when it is longer than `maxSearchTermBytes`.
    public func searchTerm(_ raw: String) throws(TeamError) -> String {
        let term = raw.trimmingWhitespace()
        let bytes = term.utf8.count
        guard bytes <= maxSearchTermBytes else {
            throw .invalidArgument("search term must be at most \(maxSearchTermBytes) bytes of UTF-8, got \(bytes)")
        }
        return term
    }

    /// The trimmed team name, or `.invalidArgument` naming the rule it breaks.
    public func teamName(_ raw: String) throws(TeamError) -> String {
        try validName(raw, field: "team name")
    }

    /// The trimmed player name, or `.invalidArgument` naming the rule it breaks.
    public func playerName(_ raw: String) throws(TeamError) -> String {
        try validName(raw, field: "player name")
    }

    /// Checks that `player` may join `team`: the squad has room and the name is free.
    public func checkCanAdd(_ player: Player, to team: Team) throws(TeamError) {
        guard team.players.count < squadLimit else {
            throw .failedPrecondition("team \(team.id) already has \(squadLimit) players, the squad limit")
        }
        if team.players.contains(where: { Player.sameName($0.name, player.name) }) {
            throw .alreadyExists("team \(team.id) already has a player named \"\(player.name)\"")
        }
    }

    private func validName(_ raw: String, field: String) throws(TeamError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty else { throw .invalidArgument("\(field) must not be empty") }
        // Bytes first: they cost nothing to count, and bound the work below.
        let bytes = name.utf8.count
        guard bytes <= maxNameBytes else {
            throw .invalidArgument("\(field) must be at most \(maxNameBytes) bytes of UTF-8, got \(bytes)")
        }
        // Printable ASCII, the usual name, is one character per byte and, trimmed and not
        // empty, holds a visible one: none of the per-scalar rules below can fail.
        let isPrintableASCII = name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        let length = isPrintableASCII ? bytes : name.count
        guard length <= maxNameLength else {
            throw .invalidArgument("\(field) must be at most \(maxNameLength) characters, got \(length)")
        }
        if isPrintableASCII { return name }
        var hasVisible = false
        for scalar in name.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control:
                throw .invalidArgument("\(field) must not contain control characters, got \(Self.codePoint(scalar))")
            case .lineSeparator, .paragraphSeparator:
                throw .invalidArgument("\(field) must not contain line or paragraph separators, got \(Self.codePoint(scalar))")
            case _ where Self.bidirectionalControls.contains(scalar.value):
                throw .invalidArgument("\(field) must not contain bidirectional controls, got \(Self.codePoint(scalar))")
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .decimalNumber, .letterNumber, .otherNumber,
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation,
                .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
                hasVisible = true
            default:
                break
            }
        }
        guard hasVisible else {
            throw .invalidArgument("\(field) must contain a visible character (a letter, digit, punctuation mark or symbol)")
        }
        return name
    }

    /// ALM, LRM, RLM, the embeddings and overrides, and the isolates.
    private static let bidirectionalControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    /// `U+` and at least 4 hex digits.
    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let code = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
