/// A member of a team's squad. Names are unique within a team, ignoring case.
public struct Player: Sendable, Hashable {
    public var name: String
    public var position: Position

    public init(name: String, position: Position) {
        self.name = name
        self.position = position
    }
}
