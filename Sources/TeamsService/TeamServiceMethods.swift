import TeamsDomain
import TeamsRPC
import TeamsWire

/// Where a call comes in: `teams.v1.TeamService` and `teams.v1.Health`, bound
/// to the use cases. Each handler turns the request into a use-case call and
/// the result into the response; nothing else happens here.
public enum TeamServiceMethods {
    public static let services: [WireService] = [.teamService, .health]

    /// The method table a `teams-server` serves.
    /// - Parameters:
    ///   - storeDescription: what `Health/Check` reports as the store, e.g. `memory`.
    ///   - events: the event feed for `WatchEvents`; nil answers it UNIMPLEMENTED.
    public static func table(interactor: TeamInteractor, storeDescription: String, events: EventWatch? = nil) -> MethodTable {
        // Two passes: the first learns which methods have handlers, so the second
        // can answer ListMethods from the table itself.
        let draft = MethodTable(services: services) { register(&$0, interactor, storeDescription, events, listing: []) }
        let listing = draft.methods.filter(\.implemented).map {
            ListMethodsResponse.Method(name: $0.path, serverStreaming: $0.kind == .serverStreaming)
        }
        return MethodTable(services: services) { register(&$0, interactor, storeDescription, events, listing: listing) }
    }

    private static func register(
        _ methods: inout MethodTable.Registrar, _ interactor: TeamInteractor, _ storeDescription: String,
        _ events: EventWatch?, listing: [ListMethodsResponse.Method]
    ) {
        methods.unary("/teams.v1.TeamService/CreateTeam") { (request: CreateTeamRequest, _) throws(RPCError) in
            CreateTeamResponse(team: try await use { () throws(TeamError) in
                try await interactor.createTeam(name: request.name, idempotencyKey: request.idempotencyKey)
            })
        }
        methods.unary("/teams.v1.TeamService/GetTeam") { (request: GetTeamRequest, _) throws(RPCError) in
            GetTeamResponse(team: try await use { () throws(TeamError) in try await interactor.team(id: request.id) })
        }
        methods.unary("/teams.v1.TeamService/RenameTeam") { (request: RenameTeamRequest, _) throws(RPCError) in
            RenameTeamResponse(team: try await use { () throws(TeamError) in
                try await interactor.renameTeam(id: request.id, to: request.name, expectedVersion: expected(request.expectedVersion))
            })
        }
        methods.unary("/teams.v1.TeamService/DeleteTeam") { (request: DeleteTeamRequest, _) throws(RPCError) in
            try await use { () throws(TeamError) in
                try await interactor.deleteTeam(id: request.id, expectedVersion: expected(request.expectedVersion))
            }
            return DeleteTeamResponse()
        }
        methods.unary("/teams.v1.TeamService/AddPlayer") { (request: AddPlayerRequest, _) throws(RPCError) in
            AddPlayerResponse(team: try await use { () throws(TeamError) in
                try await interactor.addPlayer(
                    teamID: request.teamID, name: request.player.name, position: try position(request.player),
                    expectedVersion: expected(request.expectedVersion))
            })
        }
        methods.unary("/teams.v1.TeamService/RemovePlayer") { (request: RemovePlayerRequest, _) throws(RPCError) in
            RemovePlayerResponse(team: try await use { () throws(TeamError) in
                try await interactor.removePlayer(
                    teamID: request.teamID, name: request.player.name, position: try position(request.player),
                    expectedVersion: expected(request.expectedVersion))
            })
        }
        methods.unary("/teams.v1.TeamService/SearchTeams") { (request: SearchTeamsRequest, _) throws(RPCError) in
            let page = try await use { () throws(TeamError) in
                try await interactor.searchTeams(term: request.term, pageSize: Int(request.pageSize), pageToken: request.pageToken)
            }
            return SearchTeamsResponse(teams: page.teams, nextPageToken: page.nextPageToken)
        }
        if let events {
            methods.serverStreaming("/teams.v1.TeamService/WatchEvents") { (request: WatchEventsRequest, stream: ServerStream<TeamEvent>, _) throws(RPCError) in
                do {
                    try await events.watch(from: request.fromSequence) { event in try await stream.send(event) }
                } catch let error as RPCError {
                    throw error
                } catch let error as TeamError {
                    throw RPCError(error)
                } catch {
                    throw RPCError(.cancelled, "the watch ended: \(error)")
                }
            }
        }
        methods.unary("/teams.v1.Health/Check") { (_: CheckRequest, _) in
            CheckResponse(serving: true, store: storeDescription)
        }
        methods.unary("/teams.v1.Health/ListMethods") { (_: ListMethodsRequest, _) in
            ListMethodsResponse(methods: listing)
        }
    }

    private static func use<T>(_ body: () async throws(TeamError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            throw RPCError(error)
        }
    }

    /// The proto's "0 means any version".
    private static func expected(_ version: UInt64) -> UInt64? {
        version == 0 ? nil : version
    }

    private static func position(_ player: PlayerSpec) throws(TeamError) -> Position {
        guard let position = player.position else {
            throw .invalidArgument("position must be one of \(Position.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return position
    }
}
