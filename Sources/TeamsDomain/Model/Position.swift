/// Where a player plays. The raw value is the short code users type and see.
public enum Position: String, Sendable, Hashable, CaseIterable {
    case goalkeeper = "GK"
    case defender = "DEF"
    case midfielder = "MID"
    case striker = "ST"

    /// Parses a code such as `"gk"` or `"MID"`, ignoring case; `nil` for anything else.
    public init?(code: String) {
        self.init(rawValue: code.uppercased())
    }
}
