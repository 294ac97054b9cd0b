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
    /// Search order: by `nameKey`'s UTF-8 bytes, then by `id`; what
    /// `TeamRepository.search` sorts by and `SearchCursor.precedes(_:)` compares with.
    /// Bytes, as SQLite's BINARY collation and DynamoDB's sort keys order them, rather
    /// than `String`'s `<`, which holds canonically equivalent keys equal.
    public static func searchOrder(_ lhs: Team, _ rhs: Team) -> Bool {
        searchOrder(lhs.nameKey, lhs.id, rhs.nameKey, rhs.id)
    }

    /// Whether (`lhsKey`, `lhsID`) comes before (`rhsKey`, `rhsID`) in search order.
    public static func searchOrder(_ lhsKey: String, _ lhsID: TeamID, _ rhsKey: String, _ rhsID: TeamID) -> Bool {
        let order = compareBytes(lhsKey, rhsKey)
        return order != 0 ? order < 0 : lhsID < rhsID
    }

    /// Negative, zero or positive as `lhs`'s UTF-8 sorts before, equal to or after `rhs`'s.
    public static func compareBytes(_ lhs: String, _ rhs: String) -> Int {
        var (lhs, rhs) = (lhs, rhs)
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                for index in 0..<min(left.count, right.count) where left[index] != right[index] {
                    return Int(left[index]) - Int(right[index])
                }
                return left.count - right.count
            }
        }
    }
}
