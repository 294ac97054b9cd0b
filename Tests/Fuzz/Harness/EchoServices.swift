import RPCCore
import TeamsProto

/// Answers every `teams.v1.TeamService` method at once with a response built from
/// the request, so whatever the fuzzer got through the decoder is encoded back.
struct EchoTeamService: Teams_V1_TeamService.ServiceProtocol {
    func team(id: String, name: String, player: Teams_V1_Player?) -> Teams_V1_Team {
        Teams_V1_Team(id: id, name: name, players: player.map { [$0, $0] } ?? [], version: 1)
    }

    func createTeam(_ request: Teams_V1_CreateTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_CreateTeamResponse {
        guard !request.idempotencyKey.isEmpty else { throw RPCError(.invalidArgument, request.name) }
        return .init(team: team(id: request.idempotencyKey, name: request.name, player: nil))
    }

    func getTeam(_ request: Teams_V1_GetTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_GetTeamResponse {
        .init(team: team(id: request.id, name: request.id, player: .init(name: request.id, position: .gk)))
    }

    func renameTeam(_ request: Teams_V1_RenameTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_RenameTeamResponse {
        .init(team: team(id: request.id, name: request.name, player: nil))
    }

    func deleteTeam(_ request: Teams_V1_DeleteTeamRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_DeleteTeamResponse {
        .init()
    }

    func addPlayer(_ request: Teams_V1_AddPlayerRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_AddPlayerResponse {
        .init(team: team(id: request.teamID, name: "", player: request.player))
    }

    func removePlayer(_ request: Teams_V1_RemovePlayerRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_RemovePlayerResponse {
        .init(team: team(id: request.teamID, name: request.player?.name ?? "", player: nil))
    }

    func searchTeams(_ request: Teams_V1_SearchTeamsRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_SearchTeamsResponse {
        let count = Int(request.pageSize % 4)
        return .init(teams: (0..<count).map { _ in team(id: request.term, name: request.pageToken, player: nil) }, nextPageToken: request.pageToken)
    }

    func watchEvents(_ request: Teams_V1_WatchEventsRequest, stream: ServerStream<Teams_V1_TeamEvent>, context: ServerContext) async throws(RPCError) {
        for offset in 0..<UInt64(request.fromSequence % 3) {
            try await stream.send(.init(sequence: request.fromSequence &+ offset, kind: .playerAdded, teamID: "t", player: .init(name: "p", position: .def)))
        }
    }
}

struct EchoHealth: Teams_V1_Health.ServiceProtocol {
    func check(_ request: Teams_V1_CheckRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_CheckResponse {
        .init(status: .serving, store: context.path)
    }

    func listMethods(_ request: Teams_V1_ListMethodsRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_ListMethodsResponse {
        .init(methods: (Teams_V1_TeamService.Method.all + Teams_V1_Health.Method.all).map { .init(name: $0.path, serverStreaming: $0.kind == .serverStreaming) })
    }
}
