import RPCCore
import TeamsDomain
import TeamsProto

/// The method table a `teams-server` serves: `teams.v1.TeamService` and
/// `teams.v1.Health`, bound to the use cases.
public enum TeamServiceMethods {
    /// The services, as protoc-c describes them.
    public static let services: [WireService] = [Teams_V1_TeamService.wireService, Teams_V1_Health.wireService]

    /// - Parameters:
    ///   - storeDescription: what `Health/Check` reports as the store, e.g. `memory`.
    ///   - events: the event feed for `WatchEvents`.
    ///   - serverVersion: what `Health/Check` reports as the server's build.
    public static func table(interactor: TeamInteractor, storeDescription: String, events: EventWatch, serverVersion: String = "") -> MethodTable {
        let listing = (Teams_V1_TeamService.Method.all + Teams_V1_Health.Method.all).map {
            Teams_V1_ListMethodsResponse.Method(name: $0.path, serverStreaming: $0.kind == .serverStreaming)
        }
        return MethodTable(services: services) { methods in
            TeamServiceHandler(interactor: interactor, events: events).registerMethods(with: &methods)
            HealthHandler(storeDescription: storeDescription, serverVersion: serverVersion, methods: listing).registerMethods(with: &methods)
        }
    }
}
