import GRPCCore
import GRPCTeamsShared
import TeamsDomain
import TeamsWire

/// Binds the unary methods of `teams.v1.TeamService` (and `teams.v1.Health/Check`) to
/// a `TeamInteractor`, as `TeamServiceMethods` does for `teams-server`: each handler
/// turns the request into a use-case call and the result into the response.
struct TeamServiceProvider: RegistrableRPCService {
    let interactor: TeamInteractor
    let storeDescription: String

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let interactor = self.interactor
        let store = storeDescription
        router.unary(TeamServiceGRPC.createTeam) { (request: CreateTeamRequest) throws(TeamError) in
            CreateTeamResponse(team: try await interactor.createTeam(name: request.name, idempotencyKey: request.idempotencyKey))
        }
        router.unary(TeamServiceGRPC.getTeam) { (request: GetTeamRequest) throws(TeamError) in
            GetTeamResponse(team: try await interactor.team(id: request.id))
        }
        router.unary(TeamServiceGRPC.renameTeam) { (request: RenameTeamRequest) throws(TeamError) in
            RenameTeamResponse(team: try await interactor.renameTeam(
                id: request.id, to: request.name, expectedVersion: expected(request.expectedVersion)))
        }
        router.unary(TeamServiceGRPC.deleteTeam) { (request: DeleteTeamRequest) throws(TeamError) in
            try await interactor.deleteTeam(id: request.id, expectedVersion: expected(request.expectedVersion))
            return DeleteTeamResponse()
        }
        router.unary(TeamServiceGRPC.addPlayer) { (request: AddPlayerRequest) throws(TeamError) in
            AddPlayerResponse(team: try await interactor.addPlayer(
                teamID: request.teamID, name: request.player.name, position: try position(request.player),
                expectedVersion: expected(request.expectedVersion)))
        }
        router.unary(TeamServiceGRPC.removePlayer) { (request: RemovePlayerRequest) throws(TeamError) in
            RemovePlayerResponse(team: try await interactor.removePlayer(
                teamID: request.teamID, name: request.player.name, position: try position(request.player),
                expectedVersion: expected(request.expectedVersion)))
        }
        router.unary(TeamServiceGRPC.searchTeams) { (request: SearchTeamsRequest) throws(TeamError) in
            let page = try await interactor.searchTeams(
                term: request.term, pageSize: Int(request.pageSize), pageToken: request.pageToken)
            return SearchTeamsResponse(teams: page.teams, nextPageToken: page.nextPageToken)
        }
        router.unary(TeamServiceGRPC.healthCheck) { (_: CheckRequest) throws(TeamError) in
            CheckResponse(serving: true, store: store)
        }
    }
}

/// The proto's "0 means any version".
private func expected(_ version: UInt64) -> UInt64? {
    version == 0 ? nil : version
}

private func position(_ player: PlayerSpec) throws(TeamError) -> Position {
    guard let position = player.position else {
        throw .invalidArgument("position must be one of \(Position.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return position
}

extension RPCRouter {
    /// Registers a unary handler whose messages use the protoc-c codec and whose
    /// `TeamError`s become gRPC statuses.
    mutating func unary<Input: WireMessage, Output: WireMessage>(
        _ method: MethodDescriptor,
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
                return StreamingServerResponse(error: RPCError(error))
            }
        }
    }
}
