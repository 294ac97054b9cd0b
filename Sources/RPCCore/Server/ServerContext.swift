/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// The full method name, e.g. `/teams.v1.TeamService/GetTeam`.
    public let path: String
    /// Who is calling, when the server authenticates callers and this one is named.
    public let caller: Caller?

    package init(path: String, caller: Caller? = nil) {
        self.path = path
        self.caller = caller
    }
}
