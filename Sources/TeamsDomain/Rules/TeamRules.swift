/// The invariants every team keeps. `TeamInteractor` applies them to each request.
///
/// - A team name and a player name are trimmed of surrounding whitespace and are
///   then 1 to `maxNameLength` characters long, with no control characters (a tab,
///   a newline or a NUL inside a name is a mistake, and SQLite's text functions end
///   a string at NUL, so search could not see past one).
/// - Player names are unique within a team, ignoring case.
/// - A squad holds at most `squadLimit` players (default 100), so a team always
///   fits one DynamoDB item (400 KB) with room to spare.
public struct TeamRules: Sendable {
    public var maxNameLength: Int
    public var squadLimit: Int

    public static let `default` = TeamRules(maxNameLength: 100, squadLimit: 100)

    public init(maxNameLength: Int = 100, squadLimit: Int = 100) {
        self.maxNameLength = maxNameLength
        self.squadLimit = squadLimit
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
        let key = player.name.lowercased()
        if team.players.contains(where: { $0.name.lowercased() == key }) {
            throw .alreadyExists("team \(team.id) already has a player named \"\(player.name)\"")
        }
    }

    private func validName(_ raw: String, field: String) throws(TeamError) -> String {
        let name = raw.trimmingWhitespace()
        guard !name.isEmpty else { throw .invalidArgument("\(field) must not be empty") }
        let length = name.count
        guard length <= maxNameLength else {
            throw .invalidArgument("\(field) must be at most \(maxNameLength) characters, got \(length)")
        }
        if let control = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            throw .invalidArgument("\(field) must not contain control characters, got U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)")
        }
        return name
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
