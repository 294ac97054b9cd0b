/// A member of a team's squad. Names are unique within a team, ignoring case.
public struct Player: Sendable, Hashable {
    public var name: String
    public var position: Position

    public init(name: String, position: Position) {
        self.name = name
        self.position = position
    }

    /// Whether two names are the same player's, ignoring case: equal once lower-cased.
    /// ASCII names are compared byte by byte, without making lower-cased copies.
    public static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        var (left, right) = (lhs.utf8.makeIterator(), rhs.utf8.makeIterator())
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let a?, let b?) where a < 0x80 && b < 0x80:
                // With only ASCII before, a difference here survives lower-casing whatever follows.
                guard asciiLowercased(a) == asciiLowercased(b) else { return false }
            case (let a?, nil) where a < 0x80, (nil, let a?) where a < 0x80:
                return false
            default:
                // Lower-casing may change the length of what is not ASCII (KELVIN SIGN becomes "k").
                return lhs.lowercased() == rhs.lowercased()
            }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
