import TeamsProto

/// What a caller may do on TeamService.
public enum Role: String, Sendable, CaseIterable {
    /// GetTeam, SearchTeams and WatchEvents.
    case reader
    /// Every method.
    case writer
}

/// Which methods each role may call. Health/Check needs no caller at all, so a load
/// balancer can probe a server that authenticates its callers.
public enum AccessPolicy {
    static let open: Set<String> = [Teams_V1_Health.Method.check.path]
    static let readable: Set<String> = [
        Teams_V1_TeamService.Method.getTeam.path, Teams_V1_TeamService.Method.searchTeams.path,
        Teams_V1_TeamService.Method.watchEvents.path,
    ]

    /// Whether a caller with `role` (nil: no caller named) may call the method at `path`.
    public static func allows(_ role: Role?, toCall path: String) -> Bool {
        if open.contains(path) { return true }
        switch role {
        case nil: return false
        case .reader: return readable.contains(path)
        case .writer: return true
        }
    }
}
