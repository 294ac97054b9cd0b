/// A football team: the aggregate every use case reads and writes.
///
/// `version` starts at 1 and grows by exactly one per change; stores use it as an
/// optimistic lock. A `Team` value is plain data: `TeamRules` and `TeamInteractor`
/// decide which values are valid.
public struct Team: Sendable, Hashable {
    public var id: TeamID
    public var name: String
    public var players: [Player]
    public var version: UInt64

    public init(id: TeamID, name: String, players: [Player] = [], version: UInt64 = 1) {
        self.id = id
        self.name = name
        self.players = players
        self.version = version
    }

    /// The key searches match and sort on: the lower-cased name.
    public var nameKey: String { name.lowercased() }
}
