import CTeamsProtobuf
import TeamsDomain

// The request messages of `teams.v1.TeamService`. A zero `expectedVersion` means
// "whatever the current version is", as in the proto.

public struct CreateTeamRequest: CBridged, Hashable {
    public var name: String
    /// Empty for none.
    public var idempotencyKey: String

    public init(name: String, idempotencyKey: String = "") {
        self.name = name
        self.idempotencyKey = idempotencyKey
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__create_team_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__CreateTeamRequest>) throws(WireError) {
        self.init(name: try decodeString(message.pointee.name), idempotencyKey: try decodeString(message.pointee.idempotency_key))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__CreateTeamRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.name = arena.cString(name)
        message.pointee.idempotency_key = arena.cString(idempotencyKey)
        return message
    }
}

public struct GetTeamRequest: CBridged, Hashable {
    public var id: String

    public init(id: String) {
        self.id = id
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__get_team_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__GetTeamRequest>) throws(WireError) {
        self.init(id: try decodeString(message.pointee.id))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__GetTeamRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.id = arena.cString(id)
        return message
    }
}

public struct RenameTeamRequest: CBridged, Hashable {
    public var id: String
    public var name: String
    public var expectedVersion: UInt64

    public init(id: String, name: String, expectedVersion: UInt64 = 0) {
        self.id = id
        self.name = name
        self.expectedVersion = expectedVersion
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__rename_team_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__RenameTeamRequest>) throws(WireError) {
        self.init(id: try decodeString(message.pointee.id), name: try decodeString(message.pointee.name), expectedVersion: message.pointee.expected_version)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__RenameTeamRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.id = arena.cString(id)
        message.pointee.name = arena.cString(name)
        message.pointee.expected_version = expectedVersion
        return message
    }
}

public struct DeleteTeamRequest: CBridged, Hashable {
    public var id: String
    public var expectedVersion: UInt64

    public init(id: String, expectedVersion: UInt64 = 0) {
        self.id = id
        self.expectedVersion = expectedVersion
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__delete_team_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__DeleteTeamRequest>) throws(WireError) {
        self.init(id: try decodeString(message.pointee.id), expectedVersion: message.pointee.expected_version)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__DeleteTeamRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.id = arena.cString(id)
        message.pointee.expected_version = expectedVersion
        return message
    }
}

/// The C structs of AddPlayerRequest and RemovePlayerRequest have the same fields.
protocol PlayerChangeCMessage {
    var team_id: UnsafeMutablePointer<CChar>! { get set }
    var player: UnsafeMutablePointer<Teams__V1__Player>! { get set }
    var expected_version: UInt64 { get set }
}
extension Teams__V1__AddPlayerRequest: PlayerChangeCMessage {}
extension Teams__V1__RemovePlayerRequest: PlayerChangeCMessage {}

/// AddPlayer and RemovePlayer requests: a team, a player and an optional expected version.
public protocol PlayerChangeRequest: WireMessage, Hashable {
    var teamID: String { get }
    var player: PlayerSpec { get }
    var expectedVersion: UInt64 { get }
    init(teamID: String, player: PlayerSpec, expectedVersion: UInt64)
}

extension PlayerChangeRequest where Self: CBridged, CMessage: PlayerChangeCMessage {
    init(c message: UnsafePointer<CMessage>) throws(WireError) {
        self.init(
            teamID: try decodeString(message.pointee.team_id),
            player: try PlayerSpec(c: message.pointee.player),
            expectedVersion: message.pointee.expected_version)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<CMessage> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.team_id = arena.cString(teamID)
        message.pointee.player = player.c(in: arena)
        message.pointee.expected_version = expectedVersion
        return message
    }
}

public struct AddPlayerRequest: PlayerChangeRequest, CBridged {
    typealias CMessage = Teams__V1__AddPlayerRequest
    public var teamID: String
    public var player: PlayerSpec
    public var expectedVersion: UInt64

    public init(teamID: String, player: PlayerSpec, expectedVersion: UInt64 = 0) {
        self.teamID = teamID
        self.player = player
        self.expectedVersion = expectedVersion
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__add_player_request__descriptor_ptr() }
}

public struct RemovePlayerRequest: PlayerChangeRequest, CBridged {
    typealias CMessage = Teams__V1__RemovePlayerRequest
    public var teamID: String
    public var player: PlayerSpec
    public var expectedVersion: UInt64

    public init(teamID: String, player: PlayerSpec, expectedVersion: UInt64 = 0) {
        self.teamID = teamID
        self.player = player
        self.expectedVersion = expectedVersion
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__remove_player_request__descriptor_ptr() }
}

public struct SearchTeamsRequest: CBridged, Hashable {
    public var term: String
    /// 0 for the default.
    public var pageSize: UInt32
    public var pageToken: String

    public init(term: String = "", pageSize: UInt32 = 0, pageToken: String = "") {
        self.term = term
        self.pageSize = pageSize
        self.pageToken = pageToken
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__search_teams_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__SearchTeamsRequest>) throws(WireError) {
        self.init(term: try decodeString(message.pointee.term), pageSize: message.pointee.page_size, pageToken: try decodeString(message.pointee.page_token))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__SearchTeamsRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.term = arena.cString(term)
        message.pointee.page_size = pageSize
        message.pointee.page_token = arena.cString(pageToken)
        return message
    }
}

public struct WatchEventsRequest: CBridged, Hashable {
    /// 0 for live events only.
    public var fromSequence: UInt64

    public init(fromSequence: UInt64) {
        self.fromSequence = fromSequence
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__watch_events_request__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__WatchEventsRequest>) throws(WireError) {
        self.init(fromSequence: message.pointee.from_sequence)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__WatchEventsRequest> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.from_sequence = fromSequence
        return message
    }
}
