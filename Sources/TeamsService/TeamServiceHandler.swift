import CoreMetrics
import RPCCore
import TeamsDomain
import TeamsProto
import TeamsWire

/// Where a `teams.v1.TeamService` call comes in. Each method turns the request
/// into a use-case call and the result into the response; nothing else happens here.
struct TeamServiceHandler: Teams_V1_TeamService.ServiceProtocol {
    let interactor: TeamInteractor
    let events: EventWatch

    /// Watches open now; made on first use, after the process has chosen its metrics backend.
    static let watchers = Meter(label: "teams_event_watchers")

    func createTeam(_ request: Teams_V1_CreateTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_CreateTeamResponse {
        let team = try await use { () throws(TeamError) in
            try await interactor.createTeam(name: request.name, idempotencyKey: request.idempotencyKey)
        }
        return Teams_V1_CreateTeamResponse(team: Teams_V1_Team(team))
    }

    func getTeam(_ request: Teams_V1_GetTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_GetTeamResponse {
        let team = try await use { () throws(TeamError) in try await interactor.team(id: request.id) }
        return Teams_V1_GetTeamResponse(team: Teams_V1_Team(team))
    }

    /// `getTeam` answered on the event loop when the store holds the team in memory; nil otherwise.
    /// The id is parsed from the request's bytes in place. One that is not an id goes on
    /// to `getTeam`, which says what is wrong with it.
    func getTeamWithoutWaiting(_ request: Teams_V1_GetTeamRequest.View, context: ServerContext) throws(RPCError) -> Teams_V1_GetTeamResponse? {
        guard let id = TeamID(utf8: request.id.utf8) else { return nil }
        do throws(TeamError) {
            return try interactor.teamWithoutWaiting(id: id).map { Teams_V1_GetTeamResponse(team: Teams_V1_Team($0)) }
        } catch {
            throw RPCError(error)
        }
    }

    func renameTeam(_ request: Teams_V1_RenameTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_RenameTeamResponse {
        let team = try await use { () throws(TeamError) in
            try await interactor.renameTeam(id: request.id, to: request.name, expectedVersion: expected(request.expectedVersion))
        }
        return Teams_V1_RenameTeamResponse(team: Teams_V1_Team(team))
    }

    func deleteTeam(_ request: Teams_V1_DeleteTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_DeleteTeamResponse {
        try await use { () throws(TeamError) in
            try await interactor.deleteTeam(id: request.id, expectedVersion: expected(request.expectedVersion))
        }
        return Teams_V1_DeleteTeamResponse()
    }

    func addPlayer(_ request: Teams_V1_AddPlayerRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_AddPlayerResponse {
        let player = try player(request.player)
        let team = try await use { () throws(TeamError) in
            try await interactor.addPlayer(teamID: request.teamID, name: player.name, position: player.position, expectedVersion: expected(request.expectedVersion))
        }
        return Teams_V1_AddPlayerResponse(team: Teams_V1_Team(team))
    }

    func removePlayer(_ request: Teams_V1_RemovePlayerRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_RemovePlayerResponse {
        let player = try player(request.player)
        let team = try await use { () throws(TeamError) in
            try await interactor.removePlayer(teamID: request.teamID, name: player.name, position: player.position, expectedVersion: expected(request.expectedVersion))
        }
        return Teams_V1_RemovePlayerResponse(team: Teams_V1_Team(team))
    }

    func searchTeams(_ request: Teams_V1_SearchTeamsRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_SearchTeamsResponse {
        let page = try await use { () throws(TeamError) in
            try await interactor.searchTeams(term: request.term, pageSize: Int(request.pageSize), pageToken: request.pageToken)
        }
        return Teams_V1_SearchTeamsResponse(teams: page.teams.map(Teams_V1_Team.init), nextPageToken: page.nextPageToken)
    }

    func watchEvents(_ request: Teams_V1_WatchEventsRequest, stream: ServerStream<Teams_V1_TeamEvent>, context: ServerContext) async throws(RPCError) {
        Self.watchers.increment()
        defer { Self.watchers.decrement() }
        do {
            try await events.watch(from: request.fromSequence) { event in try await stream.send(Teams_V1_TeamEvent(event)) }
        } catch let error as RPCError {
            throw error
        } catch let error as TeamError {
            throw RPCError(error)
        } catch {
            throw RPCError(.cancelled, "the watch ended: \(error)")
        }
    }

    private func use<T>(_ body: () async throws(TeamError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            throw RPCError(error)
        }
    }

    /// The proto's "0 means any version".
    private func expected(_ version: UInt64) -> UInt64? {
        version == 0 ? nil : version
    }

    /// A request's player; its position may be missing or unknown, which is the
    /// use case's to reject as INVALID_ARGUMENT, not the decoder's.
    private func player(_ message: Teams_V1_Player?) throws(RPCError) -> Player {
        let message = message ?? Teams_V1_Player()
        guard let position = Position(message.position) else {
            throw RPCError(TeamError.invalidArgument("position must be one of \(Position.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return Player(name: message.name, position: position)
    }
}
