import GRPCCore
import GRPCTeamsShared
import RPCCore
import TeamsDomain
import TeamsProto
import TeamsWire

// Both GRPCCore and RPCCore declare `MethodDescriptor` and `RPCError`: uses below name the module.

/// Binds the unary methods of `teams.v1.TeamService` (and `teams.v1.Health/Check`) to
/// a `TeamInteractor`, as `TeamServiceHandler` and `HealthHandler` do for `teams-server`:
/// each handler turns the request into a use-case call and the result into the response.
struct TeamServiceProvider: RegistrableRPCService {
    let interactor: TeamInteractor
    let storeDescription: String

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let interactor = self.interactor
        let store = storeDescription
        router.unary(TeamServiceGRPC.createTeam) { (request: Teams_V1_CreateTeamRequest) throws(TeamError) in
            let team = try await interactor.createTeam(name: request.name, idempotencyKey: request.idempotencyKey)
            return Teams_V1_CreateTeamResponse(team: Teams_V1_Team(team))
        }
        router.unary(TeamServiceGRPC.getTeam) { (request: Teams_V1_GetTeamRequest) throws(TeamError) in
            let team = try await interactor.team(id: request.id)
            return Teams_V1_GetTeamResponse(team: Teams_V1_Team(team))
        }
        router.unary(TeamServiceGRPC.renameTeam) { (request: Teams_V1_RenameTeamRequest) throws(TeamError) in
            let team = try await interactor.renameTeam(
                id: request.id, to: request.name, expectedVersion: expected(request.expectedVersion))
            return Teams_V1_RenameTeamResponse(team: Teams_V1_Team(team))
        }
        router.unary(TeamServiceGRPC.deleteTeam) { (request: Teams_V1_DeleteTeamRequest) throws(TeamError) in
            try await interactor.deleteTeam(id: request.id, expectedVersion: expected(request.expectedVersion))
            return Teams_V1_DeleteTeamResponse()
        }
        router.unary(TeamServiceGRPC.addPlayer) { (request: Teams_V1_AddPlayerRequest) throws(TeamError) in
            let player = try requestedPlayer(request.player)
            let team = try await interactor.addPlayer(
                teamID: request.teamID, name: player.name, position: player.position,
                expectedVersion: expected(request.expectedVersion))
            return Teams_V1_AddPlayerResponse(team: Teams_V1_Team(team))
        }
        router.unary(TeamServiceGRPC.removePlayer) { (request: Teams_V1_RemovePlayerRequest) throws(TeamError) in
            let player = try requestedPlayer(request.player)
            let team = try await interactor.removePlayer(
                teamID: request.teamID, name: player.name, position: player.position,
                expectedVersion: expected(request.expectedVersion))
            return Teams_V1_RemovePlayerResponse(team: Teams_V1_Team(team))
        }
        router.unary(TeamServiceGRPC.searchTeams) { (request: Teams_V1_SearchTeamsRequest) throws(TeamError) in
            let page = try await interactor.searchTeams(
                term: request.term, pageSize: Int(request.pageSize), pageToken: request.pageToken)
            return Teams_V1_SearchTeamsResponse(teams: page.teams.map(Teams_V1_Team.init), nextPageToken: page.nextPageToken)
        }
        router.unary(TeamServiceGRPC.healthCheck) { (_: Teams_V1_CheckRequest) throws(TeamError) in
            Teams_V1_CheckResponse(status: .serving, store: store)
        }
    }
}

/// The proto's "0 means any version".
private func expected(_ version: UInt64) -> UInt64? {
    version == 0 ? nil : version
}

/// A request's player; its position may be missing or unknown, which is the use
/// case's to reject as INVALID_ARGUMENT, not the decoder's (as in `TeamServiceHandler`).
private func requestedPlayer(_ message: Teams_V1_Player?) throws(TeamError) -> Player {
    let message = message ?? Teams_V1_Player()
    guard let position = Position(message.position) else {
        throw .invalidArgument("position must be one of \(Position.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return Player(name: message.name, position: position)
}

extension RPCRouter {
    /// Registers a unary handler whose messages use teams-server's codec and whose
    /// `TeamError`s become gRPC statuses.
    mutating func unary<Input: WireMessage, Output: WireMessage>(
        _ method: GRPCCore.MethodDescriptor,
        _ body: @escaping @Sendable (Input) async throws(TeamError) -> Output
    ) {
        registerHandler(
            forMethod: method,
            deserializer: WireMessageDeserializer<Input>(),
            serializer: WireMessageSerializer<Output>()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            do throws(TeamError) {
                let response = try await body(single.message)
                return StreamingServerResponse(single: ServerResponse(message: response))
            } catch {
                return StreamingServerResponse(error: GRPCCore.RPCError(error))
            }
        }
    }
}
