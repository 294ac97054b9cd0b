/// A fact about a change to a team, published after the change is stored.
///
/// `sequence` is assigned by the store that records the event: strictly
/// increasing and without gaps, so a watcher that remembers the last sequence it
/// saw can resume exactly where it stopped. It is 0 until the event is stored.
public struct TeamEvent: Sendable, Hashable {
    public enum Change: Sendable, Hashable {
        case teamCreated(name: String)
        case teamRenamed(name: String)
        case teamDeleted
        case playerAdded(Player)
        case playerRemoved(Player)
    }

    public var sequence: UInt64
    public var teamID: TeamID
    /// The team's version after the change.
    public var version: UInt64
    public var change: Change
    /// Unix time in milliseconds.
    public var occurredAt: Int64

    public init(sequence: UInt64 = 0, teamID: TeamID, version: UInt64, change: Change, occurredAt: Int64) {
        self.sequence = sequence
        self.teamID = teamID
        self.version = version
        self.change = change
        self.occurredAt = occurredAt
    }

    /// The event's name: TeamCreated, TeamRenamed, TeamDeleted, PlayerAdded or
    /// PlayerRemoved (the raw value of its `Kind`).
    public var name: String { change.kind.rawValue }
}
