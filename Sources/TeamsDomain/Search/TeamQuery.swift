/// What `TeamRepository.search` is asked for.
public struct TeamQuery: Sendable, Hashable {
    /// Lower-cased substring of the name; empty matches every team.
    public var term: String
    /// At most this many teams, at least 1.
    public var limit: Int
    /// Start after this position in (`nameKey`, `id`) order; `nil` for the first page.
    public var after: SearchCursor?

    public init(term: String, limit: Int, after: SearchCursor? = nil) {
        self.term = term
        self.limit = limit
        self.after = after
    }
}

/// A position in the search order: the last team of the previous page.
public struct SearchCursor: Sendable, Hashable {
    public var nameKey: String
    public var id: TeamID

    public init(nameKey: String, id: TeamID) {
        self.nameKey = nameKey
        self.id = id
    }

    /// Whether `team` sorts after this cursor.
    public func precedes(_ team: Team) -> Bool {
        Team.searchOrder(nameKey, id, team.nameKey, team.id)
    }

    /// The opaque text form handed to clients: hex of the id followed by the name key.
    public var token: String {
        var hex = ""
        hex.reserveCapacity(2 * (TeamID.encodedLength + nameKey.utf8.count))
        for byte in Array(id.description.utf8) + Array(nameKey.utf8) {
            hex.append(Self.digits[Int(byte >> 4)])
            hex.append(Self.digits[Int(byte & 0xF)])
        }
        return hex
    }

    /// Parses `token`; `nil` for anything `token` could not have produced.
    public init?(token: String) {
        var bytes: [UInt8] = []
        var pending: UInt8?
        for character in token.utf8 {
            guard let nibble = Self.nibble(character) else { return nil }
            if let high = pending {
                bytes.append(high << 4 | nibble)
                pending = nil
            } else {
                pending = nibble
            }
        }
        guard pending == nil, bytes.count >= TeamID.encodedLength,
            let id = TeamID(utf8: bytes[..<TeamID.encodedLength]),
            let key = String(validating: bytes[TeamID.encodedLength...], as: UTF8.self)
        else { return nil }
        self.init(nameKey: key, id: id)
    }

    private static let digits: [Character] = Array("0123456789abcdef")

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// One page of search results.
public struct TeamPage: Sendable, Hashable {
    public var teams: [Team]
    /// Where the next page starts; `nil` on the last page.
    public var next: SearchCursor?

    public init(teams: [Team], next: SearchCursor?) {
        self.teams = teams
        self.next = next
    }
}
