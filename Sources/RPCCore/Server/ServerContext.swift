/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The full method name, e.g. `/teams.v1.TeamService/GetTeam`.
    public let path: String
}
