extension TeamPage {
    /// The page at the start of `sorted`: its first `limit` teams (none for a limit
    /// below 1) and, when `sorted` holds more, the cursor of the last of them.
    ///
    /// `sorted` must be the query's matches after its cursor, in search order
    /// (`Team.searchOrder`): all of them, or at least the first `limit + 1`, so that a
    /// next page is seen. Every store cuts its pages here, so they agree on when a
    /// page is the last one.
    public init(cutting sorted: [Team], limit: Int) {
        let teams = Array(sorted.prefix(Swift.max(0, limit)))
        let next = sorted.count > teams.count ? teams.last.map { SearchCursor(nameKey: $0.nameKey, id: $0.id) } : nil
        self.init(teams: teams, next: next)
    }
}

extension Team {
    /// Search order: by `nameKey`, then by `id`; what `TeamRepository.search` sorts by
    /// and `SearchCursor.precedes(_:)` compares with.
    public static func searchOrder(_ lhs: Team, _ rhs: Team) -> Bool {
        (lhs.nameKey, lhs.id) < (rhs.nameKey, rhs.id)
    }
}
