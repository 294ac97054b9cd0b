import TeamsDomain

/// A team's place in search order (`Team.searchOrder`): its name key's bytes, then its id.
struct SearchKey: Comparable, Sendable {
    var nameKey: String
    var id: TeamID

    static func < (lhs: SearchKey, rhs: SearchKey) -> Bool { Team.searchOrder(lhs.nameKey, lhs.id, rhs.nameKey, rhs.id) }
}
