import CTeamsProtobuf
import TeamsDomain

// The response messages of `teams.v1.TeamService`.

/// The C structs of every response that carries one team.
protocol TeamCarryingCMessage {
    var team: UnsafeMutablePointer<Teams__V1__Team>! { get set }
}
extension Teams__V1__CreateTeamResponse: TeamCarryingCMessage {}
extension Teams__V1__GetTeamResponse: TeamCarryingCMessage {}
extension Teams__V1__RenameTeamResponse: TeamCarryingCMessage {}
extension Teams__V1__AddPlayerResponse: TeamCarryingCMessage {}
extension Teams__V1__RemovePlayerResponse: TeamCarryingCMessage {}

/// A response holding the team as it is after the call.
public protocol TeamResponse: WireMessage, Hashable {
    var team: Team { get }
    init(team: Team)
}

extension TeamResponse where Self: CBridged, CMessage: TeamCarryingCMessage {
    init(c message: UnsafePointer<CMessage>) throws(WireError) {
        self.init(team: try Team(c: message.pointee.team))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<CMessage> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.team = team.c(in: arena)
        return message
    }
}

public struct CreateTeamResponse: TeamResponse, CBridged {
    typealias CMessage = Teams__V1__CreateTeamResponse
    public var team: Team
    public init(team: Team) { self.team = team }
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__create_team_response__descriptor_ptr() }
}

public struct GetTeamResponse: TeamResponse, CBridged {
    typealias CMessage = Teams__V1__GetTeamResponse
    public var team: Team
    public init(team: Team) { self.team = team }
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__get_team_response__descriptor_ptr() }
}

public struct RenameTeamResponse: TeamResponse, CBridged {
    typealias CMessage = Teams__V1__RenameTeamResponse
    public var team: Team
    public init(team: Team) { self.team = team }
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__rename_team_response__descriptor_ptr() }
}

public struct AddPlayerResponse: TeamResponse, CBridged {
    typealias CMessage = Teams__V1__AddPlayerResponse
    public var team: Team
    public init(team: Team) { self.team = team }
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__add_player_response__descriptor_ptr() }
}

public struct RemovePlayerResponse: TeamResponse, CBridged {
    typealias CMessage = Teams__V1__RemovePlayerResponse
    public var team: Team
    public init(team: Team) { self.team = team }
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__remove_player_response__descriptor_ptr() }
}

public struct DeleteTeamResponse: CBridged, Hashable {
    public init() {}
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__delete_team_response__descriptor_ptr() }
    init(c message: UnsafePointer<Teams__V1__DeleteTeamResponse>) throws(WireError) {}
    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__DeleteTeamResponse> { arena.message(CMessage.self, Self.descriptor) }
}

public struct SearchTeamsResponse: CBridged, Hashable {
    public var teams: [Team]
    /// Empty on the last page.
    public var nextPageToken: String

    public init(teams: [Team], nextPageToken: String) {
        self.teams = teams
        self.nextPageToken = nextPageToken
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__search_teams_response__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__SearchTeamsResponse>) throws(WireError) {
        var teams: [Team] = []
        teams.reserveCapacity(message.pointee.n_teams)
        for index in 0..<message.pointee.n_teams {
            teams.append(try Team(c: message.pointee.teams[index]))
        }
        self.init(teams: teams, nextPageToken: try decodeString(message.pointee.next_page_token))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__SearchTeamsResponse> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.n_teams = teams.count
        message.pointee.teams = arena.array(of: Teams__V1__Team.self, count: teams.count) { teams[$0].c(in: arena) }
        message.pointee.next_page_token = arena.cString(nextPageToken)
        return message
    }
}

/// One `WatchEvents` stream message: a stored domain event.
extension TeamEvent: CBridged {
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__team_event__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__TeamEvent>) throws(WireError) {
        let event = message.pointee
        guard let teamID = TeamID(try decodeString(event.team_id)) else { throw .malformed("event has a malformed team id") }
        let change: Change
        switch event.kind {
        case TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_CREATED: change = .teamCreated(name: try decodeString(event.team_name))
        case TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_RENAMED: change = .teamRenamed(name: try decodeString(event.team_name))
        case TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_DELETED: change = .teamDeleted
        case TEAMS__V1__TEAM_EVENT__KIND__KIND_PLAYER_ADDED: change = .playerAdded(try Player(c: Self.player(event)))
        case TEAMS__V1__TEAM_EVENT__KIND__KIND_PLAYER_REMOVED: change = .playerRemoved(try Player(c: Self.player(event)))
        default: throw .malformed("event has unknown kind \(event.kind.rawValue)")
        }
        self.init(sequence: event.sequence, teamID: teamID, version: event.version, change: change, occurredAt: event.occurred_at_ms)
    }

    private static func player(_ event: Teams__V1__TeamEvent) throws(WireError) -> UnsafePointer<Teams__V1__Player> {
        guard let player = event.player else { throw .malformed("player event has no player") }
        return UnsafePointer(player)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__TeamEvent> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.sequence = sequence
        message.pointee.team_id = arena.cString(teamID)
        message.pointee.version = version
        message.pointee.occurred_at_ms = occurredAt
        switch change {
        case .teamCreated(let name):
            message.pointee.kind = TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_CREATED
            message.pointee.team_name = arena.cString(name)
        case .teamRenamed(let name):
            message.pointee.kind = TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_RENAMED
            message.pointee.team_name = arena.cString(name)
        case .teamDeleted:
            message.pointee.kind = TEAMS__V1__TEAM_EVENT__KIND__KIND_TEAM_DELETED
        case .playerAdded(let player):
            message.pointee.kind = TEAMS__V1__TEAM_EVENT__KIND__KIND_PLAYER_ADDED
            message.pointee.player = player.c(in: arena)
        case .playerRemoved(let player):
            message.pointee.kind = TEAMS__V1__TEAM_EVENT__KIND__KIND_PLAYER_REMOVED
            message.pointee.player = player.c(in: arena)
        }
        return message
    }
}
