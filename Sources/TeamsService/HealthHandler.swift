import RPCCore
import TeamsProto

/// Where a `teams.v1.Health` call comes in: whether the server serves, and what.
struct HealthHandler: Teams_V1_Health.ServiceProtocol {
    /// What `Check` reports as the store, e.g. `memory`.
    let storeDescription: String
    /// What `Check` reports as the server's build.
    let serverVersion: String
    /// What `ListMethods` reports: every method the server implements.
    let methods: [Teams_V1_ListMethodsResponse.Method]

    func check(_ request: Teams_V1_CheckRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_CheckResponse {
        Teams_V1_CheckResponse(status: .serving, store: storeDescription, version: serverVersion)
    }

    /// Answered at once: health checks cost no task.
    func checkWithoutWaiting(_ request: Teams_V1_CheckRequest.View, context: ServerContext) throws(RPCError) -> Teams_V1_CheckResponse? {
        Teams_V1_CheckResponse(status: .serving, store: storeDescription, version: serverVersion)
    }

    func listMethods(_ request: Teams_V1_ListMethodsRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_ListMethodsResponse {
        Teams_V1_ListMethodsResponse(methods: methods)
    }

    func listMethodsWithoutWaiting(_ request: Teams_V1_ListMethodsRequest.View, context: ServerContext) throws(RPCError) -> Teams_V1_ListMethodsResponse? {
        Teams_V1_ListMethodsResponse(methods: methods)
    }
}
