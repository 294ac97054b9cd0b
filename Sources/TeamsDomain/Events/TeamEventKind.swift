extension TeamEvent {
    /// What kind of change an event records, without its details.
    ///
    /// The raw value is the event's name as stores keep it (the SQLite `events.kind`
    /// column, the DynamoDB `kind` attribute) and as logs show it. Stored data is
    /// read back through `init(rawValue:)`, so a raw value must never change.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case teamCreated = "TeamCreated"
        case teamRenamed = "TeamRenamed"
        case teamDeleted = "TeamDeleted"
        case playerAdded = "PlayerAdded"
        case playerRemoved = "PlayerRemoved"
    }
}

extension TeamEvent.Change {
    public var kind: TeamEvent.Kind {
        switch self {
        case .teamCreated: .teamCreated
        case .teamRenamed: .teamRenamed
        case .teamDeleted: .teamDeleted
        case .playerAdded: .playerAdded
        case .playerRemoved: .playerRemoved
        }
    }

    /// The team's new name for TeamCreated and TeamRenamed; `nil` otherwise.
    public var teamName: String? {
        switch self {
        case .teamCreated(let name), .teamRenamed(let name): name
        case .teamDeleted, .playerAdded, .playerRemoved: nil
        }
    }

    /// The player added or removed for PlayerAdded and PlayerRemoved; `nil` otherwise.
    public var player: Player? {
        switch self {
        case .playerAdded(let player), .playerRemoved(let player): player
        case .teamCreated, .teamRenamed, .teamDeleted: nil
        }
    }

    /// The change of `kind` with its details, as a store keeps them in fields of their
    /// own: the inverse of `kind`, `teamName` and `player`.
    ///
    /// `teamName` is used by the team kinds only and `player` by the player kinds only;
    /// the other is ignored. `nil` when a player kind comes without its player.
    public init?(kind: TeamEvent.Kind, teamName: String, player: Player?) {
        switch kind {
        case .teamCreated: self = .teamCreated(name: teamName)
        case .teamRenamed: self = .teamRenamed(name: teamName)
        case .teamDeleted: self = .teamDeleted
        case .playerAdded:
            guard let player else { return nil }
            self = .playerAdded(player)
        case .playerRemoved:
            guard let player else { return nil }
            self = .playerRemoved(player)
        }
    }
}
