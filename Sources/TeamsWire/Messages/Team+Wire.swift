import CTeamsProtobuf
import TeamsDomain

// `Team`, `Player` and `Position` inside other messages.

extension Position {
    init?(wire: Teams__V1__Position) {
        switch wire {
        case TEAMS__V1__POSITION__POSITION_GK: self = .goalkeeper
        case TEAMS__V1__POSITION__POSITION_DEF: self = .defender
        case TEAMS__V1__POSITION__POSITION_MID: self = .midfielder
        case TEAMS__V1__POSITION__POSITION_ST: self = .striker
        default: return nil
        }
    }

    var wire: Teams__V1__Position {
        switch self {
        case .goalkeeper: TEAMS__V1__POSITION__POSITION_GK
        case .defender: TEAMS__V1__POSITION__POSITION_DEF
        case .midfielder: TEAMS__V1__POSITION__POSITION_MID
        case .striker: TEAMS__V1__POSITION__POSITION_ST
        }
    }
}

/// A player as a request carries it: the position may be missing or unknown, which
/// is the use case's to reject, not the decoder's.
public struct PlayerSpec: Sendable, Hashable {
    public var name: String
    /// `nil` when the request left it unset or sent a number this server does not know.
    public var position: Position?

    public init(name: String, position: Position?) {
        self.name = name
        self.position = position
    }

    init(c player: UnsafePointer<Teams__V1__Player>?) throws(WireError) {
        guard let player else {
            self.init(name: "", position: nil)
            return
        }
        self.init(name: try decodeString(player.pointee.name), position: Position(wire: player.pointee.position))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__Player> {
        let player = arena.message(Teams__V1__Player.self, teams__v1__player__descriptor_ptr())
        player.pointee.name = arena.cString(name)
        player.pointee.position = position?.wire ?? TEAMS__V1__POSITION__POSITION_UNSPECIFIED
        return player
    }
}

extension Player {
    init(c player: UnsafePointer<Teams__V1__Player>) throws(WireError) {
        guard let position = Position(wire: player.pointee.position) else {
            throw .malformed("player has unknown position \(player.pointee.position.rawValue)")
        }
        self.init(name: try decodeString(player.pointee.name), position: position)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__Player> {
        PlayerSpec(name: name, position: position).c(in: arena)
    }
}

extension Team {
    init(c team: UnsafePointer<Teams__V1__Team>?) throws(WireError) {
        guard let team else { throw .malformed("response has no team") }
        guard let id = TeamID(try decodeString(team.pointee.id)) else {
            throw .malformed("team id \"\(try decodeString(team.pointee.id))\" is not an xid")
        }
        var players: [Player] = []
        players.reserveCapacity(team.pointee.n_players)
        for index in 0..<team.pointee.n_players {
            guard let player = team.pointee.players[index] else { throw .malformed("team has a null player") }
            players.append(try Player(c: player))
        }
        self.init(id: id, name: try decodeString(team.pointee.name), players: players, version: team.pointee.version)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__Team> {
        let team = arena.message(Teams__V1__Team.self, teams__v1__team__descriptor_ptr())
        team.pointee.id = arena.cString(id)
        team.pointee.name = arena.cString(name)
        team.pointee.version = version
        team.pointee.n_players = players.count
        team.pointee.players = arena.array(of: Teams__V1__Player.self, count: players.count) { players[$0].c(in: arena) }
        return team
    }
}
