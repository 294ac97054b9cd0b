import NIOCore
import NIOPosix
import TeamsDomain
import TeamsRPC
import TeamsWire

/// A typed, async client for `teams.v1.TeamService` over one connection.
///
/// Safe to share between tasks: concurrent calls are multiplexed on the
/// connection. Every method throws `RPCError`, whose `code` is the status the
/// server (or the client, for DEADLINE_EXCEEDED, CANCELLED and UNAVAILABLE) gave.
public struct TeamsClient: Sendable {
    public let connection: RPCConnection
    /// Applied to every call: its timeout and metadata.
    public var options: CallOptions

    public init(connection: RPCConnection, options: CallOptions = CallOptions()) {
        self.connection = connection
        self.options = options
    }

    /// Connects to `host:port`.
    public static func connect(
        host: String, port: Int, options: CallOptions = CallOptions(), connectTimeout: Duration = .seconds(5),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RPCError) -> TeamsClient {
        TeamsClient(connection: try await RPCConnection.connect(host: host, port: port, group: group, connectTimeout: connectTimeout), options: options)
    }

    public func close() async {
        await connection.close()
    }

    // MARK: TeamService

    /// With the same non-empty `idempotencyKey` within 24 hours, returns the first call's team.
    public func createTeam(name: String, idempotencyKey: String = "") async throws(RPCError) -> Team {
        try await call("CreateTeam", CreateTeamRequest(name: name, idempotencyKey: idempotencyKey), CreateTeamResponse.self).team
    }

    public func getTeam(id: String) async throws(RPCError) -> Team {
        try await call("GetTeam", GetTeamRequest(id: id), GetTeamResponse.self).team
    }

    /// `expectedVersion` 0 renames whatever the current version is.
    public func renameTeam(id: String, to name: String, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        try await call("RenameTeam", RenameTeamRequest(id: id, name: name, expectedVersion: expectedVersion), RenameTeamResponse.self).team
    }

    public func deleteTeam(id: String, expectedVersion: UInt64 = 0) async throws(RPCError) {
        _ = try await call("DeleteTeam", DeleteTeamRequest(id: id, expectedVersion: expectedVersion), DeleteTeamResponse.self)
    }

    /// A `nil` position is sent as unspecified, which the server rejects; it exists to test that.
    public func addPlayer(teamID: String, name: String, position: Position?, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        let request = AddPlayerRequest(teamID: teamID, player: PlayerSpec(name: name, position: position), expectedVersion: expectedVersion)
        return try await call("AddPlayer", request, AddPlayerResponse.self).team
    }

    public func removePlayer(teamID: String, name: String, position: Position?, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        let request = RemovePlayerRequest(teamID: teamID, player: PlayerSpec(name: name, position: position), expectedVersion: expectedVersion)
        return try await call("RemovePlayer", request, RemovePlayerResponse.self).team
    }

    /// One page; pass `nextPageToken` back for the next. It is empty on the last page.
    public func searchTeams(term: String = "", pageSize: Int = 0, pageToken: String = "") async throws(RPCError) -> (teams: [Team], nextPageToken: String) {
        let request = SearchTeamsRequest(term: term, pageSize: UInt32(clamping: pageSize), pageToken: pageToken)
        let response = try await call("SearchTeams", request, SearchTeamsResponse.self)
        return (response.teams, response.nextPageToken)
    }

    /// Stored events from `sequence` (0: only new ones), then live ones, until cancelled.
    public func watchEvents(from sequence: UInt64 = 0) -> AsyncThrowingStream<TeamEvent, any Error> {
        var options = self.options
        options.timeout = nil  // a watch lasts as long as the caller wants
        return connection.serverStreaming("/teams.v1.TeamService/WatchEvents", WatchEventsRequest(fromSequence: sequence), as: TeamEvent.self, options: options)
    }

    // MARK: Health

    /// Whether the server is serving, and on which store.
    public func check() async throws(RPCError) -> (serving: Bool, store: String) {
        let response = try await connection.unary("/teams.v1.Health/Check", CheckRequest(), as: CheckResponse.self, options: options)
        return (response.serving, response.store)
    }

    /// The full names of the methods the server implements.
    public func listMethods() async throws(RPCError) -> [ListMethodsResponse.Method] {
        try await connection.unary("/teams.v1.Health/ListMethods", ListMethodsRequest(), as: ListMethodsResponse.self, options: options).methods
    }

    private func call<Request: WireMessage, Response: WireMessage>(_ method: String, _ request: Request, _ response: Response.Type) async throws(RPCError) -> Response {
        try await connection.unary("/teams.v1.TeamService/\(method)", request, as: response, options: options)
    }
}
