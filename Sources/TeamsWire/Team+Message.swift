import RPCCore
import TeamsDomain
import TeamsProto

// The domain's values as the generated `teams.v1` messages carry them, and back.
// Reading a message can fail (a peer or a stored row may hold anything); writing one cannot.

extension Position {
    /// `nil` for POSITION_UNSPECIFIED and numbers this version does not know.
    public init?(_ message: Teams_V1_Position) {
        switch message {
        case .gk: self = .goalkeeper
        case .def: self = .defender
        case .mid: self = .midfielder
        case .st: self = .striker
        case .unspecified, .unrecognized: return nil
        }
    }

    @inlinable
    public var message: Teams_V1_Position {
        switch self {
        case .goalkeeper: .gk
        case .defender: .def
        case .midfielder: .mid
        case .striker: .st
        }
    }
}

extension Player {
    /// - Throws: `WireError.malformed` when the position is unspecified or unknown.
    public init(_ message: Teams_V1_Player) throws(WireError) {
        guard let position = Position(message.position) else {
            throw .malformed("player \"\(message.name)\" has no known position (\(message.position.rawValue))")
        }
        self.init(name: message.name, position: position)
    }
}

extension Teams_V1_Player {
    public init(_ player: Player) {
        self.init(name: player.name, position: player.position.message)
    }
}

extension Team {
    /// - Throws: `WireError.malformed` when the id is not an xid or a player is invalid.
    public init(_ message: Teams_V1_Team) throws(WireError) {
        guard let id = TeamID(message.id) else { throw .malformed("team id \"\(message.id)\" is not an xid") }
        var players: [Player] = []
        players.reserveCapacity(message.players.count)
        for player in message.players { players.append(try Player(player)) }
        self.init(id: id, name: message.name, players: players, version: message.version)
    }

    /// The team a response carries.
    /// - Throws: `WireError.malformed` when the response has none, or it is invalid.
    public init(from message: Teams_V1_Team?) throws(WireError) {
        guard let message else { throw .malformed("the response has no team") }
        try self.init(message)
    }
}

extension Teams_V1_Team {
    public init(_ team: Team) {
        self.init(id: team.id.description, name: team.name, players: team.players.map(Teams_V1_Player.init), version: team.version)
    }
}

extension TeamEvent {
    /// - Throws: `WireError.malformed` for an unknown kind, a bad team id, or a player event without its player.
    public init(_ message: Teams_V1_TeamEvent) throws(WireError) {
        guard let teamID = TeamID(message.teamID) else { throw .malformed("event has a malformed team id \"\(message.teamID)\"") }
        let change: Change
        switch message.kind {
        case .teamCreated: change = .teamCreated(name: message.teamName)
        case .teamRenamed: change = .teamRenamed(name: message.teamName)
        case .teamDeleted: change = .teamDeleted
        case .playerAdded: change = .playerAdded(try Player(Self.player(of: message)))
        case .playerRemoved: change = .playerRemoved(try Player(Self.player(of: message)))
        case .unspecified, .unrecognized: throw .malformed("event has unknown kind \(message.kind.rawValue)")
        }
        self.init(sequence: message.sequence, teamID: teamID, version: message.version, change: change, occurredAt: message.occurredAtMs)
    }

    private static func player(of message: Teams_V1_TeamEvent) throws(WireError) -> Teams_V1_Player {
        guard let player = message.player else { throw .malformed("player event has no player") }
        return player
    }
}

extension Teams_V1_TeamEvent {
    public init(_ event: TeamEvent) {
        self.init(sequence: event.sequence, teamID: event.teamID.description, version: event.version, occurredAtMs: event.occurredAt)
        switch event.change {
        case .teamCreated(let name):
            kind = .teamCreated
            teamName = name
        case .teamRenamed(let name):
            kind = .teamRenamed
            teamName = name
        case .teamDeleted:
            kind = .teamDeleted
        case .playerAdded(let player):
            kind = .playerAdded
            self.player = Teams_V1_Player(player)
        case .playerRemoved(let player):
            kind = .playerRemoved
            self.player = Teams_V1_Player(player)
        }
    }
}
