import Foundation
import GRDB
import TeamsDomain

/// How `SQLiteTeamStore` finds a page of `TeamQuery` matches at about the cost of the
/// page rather than of the table.
///
/// Every plan tests candidates with `instr`, an exact substring test, so `%`, `_` and
/// the FTS5 query syntax are plain characters in a term:
/// - **grams**: `team_name_grams` lists each name key under every string of 2 and of 3
///   adjacent characters in it, in search order; a key longer than
///   `SQLiteSchema.gramListedKeyBytes` bytes is listed once, under the empty
///   gram, so that no key costs more rows than a constant. A term of 2 or 3
///   characters is a range read of its own list merged with the empty gram's: the
///   page costs what the page costs, plus the long keys it passes. A longer term
///   walks the lists of its last 3 characters the same way, which hold every match
///   in order, testing each key.
/// - **trigram**: the trigram index (`team_name_trigrams`) gives the teams holding every
///   trigram of the term; they are sorted and cut after the cursor. The cost grows with
///   the candidates.
/// - **walk**: the `(name_key, id)` index in order from the cursor, a few times cheaper a key,
///   for a term of 1 character or none, which usually matches densely.
///
/// A term of 4 or more characters with at most `trigramCandidateLimit` candidates takes
/// the trigram plan. One with more matches densely on average, so it walks its gram's
/// list, but at most `walkBudget` keys: when its matches lie further on, the trigram
/// plan answers.
///
/// Name keys hold no NUL (`TeamRules` rejects control characters), and SQLite's text
/// functions end a string at one, so a term holding NUL matches nothing.
struct SQLiteTeamSearch: Sendable {
    /// The most trigram candidates worth sorting before walking is cheaper.
    let trigramCandidateLimit: Int

    /// The most keys a walk of a gram's list reads before the trigram plan answers
    /// instead; `nil` walks to the page's end (tests use it to force the walk).
    let walkBudget: Int?

    /// Limits are capped so that `limit + 1` cannot overflow; a negative one counts as 0.
    init(trigramCandidateLimit: Int = 2500, walkBudget: Int? = 50_000) {
        self.trigramCandidateLimit = max(0, min(trigramCandidateLimit, 1 << 40))
        self.walkBudget = walkBudget.map { max(1, min($0, 1 << 40)) }
    }

    func page(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        let scalars = query.term.unicodeScalars
        if scalars.contains("\0") { return TeamPage(teams: [], next: nil) }
        switch scalars.count {
        case 0, 1:
            return try walk(query, in: db)
        case 2, 3:
            return try grams(query, in: db, budget: nil)!  // without a budget it always answers
        default:
            if try candidates(query.term, in: db) <= trigramCandidateLimit {
                return try trigrams(query, in: db)
            }
            return try grams(query, in: db, budget: walkBudget) ?? trigrams(query, in: db)
        }
    }

    private func candidates(_ term: String, in db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (SELECT rowid FROM team_name_trigrams WHERE team_name_trigrams MATCH ? LIMIT ?)"),
            arguments: [Self.phrase(term), trigramCandidateLimit + 1]) ?? 0
    }

    private func trigrams(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        try fetch(Self.trigramSQL(after: query.after), in: db, [Self.phrase(query.term), query.term] + Self.cursor(query) + [query.limit + 1], limit: query.limit)
    }

    private func walk(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        try fetch(Self.walkSQL(after: query.after), in: db, [query.term] + Self.cursor(query) + [query.limit + 1], limit: query.limit)
    }

    /// The page from the list of the term's last 3 characters (its only 2 for a term of
    /// 2), or nil when `budget` keys were read without filling it.
    private func grams(_ query: TeamQuery, in db: Database, budget: Int?) throws -> TeamPage? {
        var gram = String.UnicodeScalarView()
        gram.append(contentsOf: query.term.unicodeScalars.suffix(3))
        // Every listed key has a team, but the cursor's own key may have none left after
        // the cursor: one key more than the page's teams (and the one that tells whether
        // there is a next page) is enough.
        let keysWanted = query.limit + 2
        var keys: [String] = []
        var read = 0
        let start = query.after?.nameKey ?? ""
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: Self.gramListSQL), arguments: [query.term, String(gram), start, budget ?? -1])
        while let row = try rows.next() {
            read += 1
            let matches: Bool = try row.stored("matches", of: "a name gram row")
            if matches {
                keys.append(try row.stored("name_key", of: "a name gram row"))
                if keys.count == keysWanted { break }
            }
        }
        if keys.count < keysWanted, let budget, read == budget { return nil }

        var teams: [Team] = []
        let teamsOfKey = try db.cachedStatement(sql: Self.teamsOfKeySQL)
        for key in keys where teams.count <= query.limit {
            let after = query.after.flatMap { $0.nameKey == key ? $0.id.description : nil } ?? ""
            teams += try Row.fetchAll(teamsOfKey, arguments: [key, after, query.limit + 1 - teams.count]).map(TeamRow.team(from:))
        }
        return TeamPage(cutting: teams, limit: query.limit)
    }

    /// One team more than the page tells whether there is a next page.
    private func fetch(_ sql: String, in db: Database, _ arguments: StatementArguments, limit: Int) throws -> TeamPage {
        TeamPage(cutting: try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(TeamRow.team(from:)), limit: limit)
    }

    private static func cursor(_ query: TeamQuery) -> StatementArguments {
        guard let after = query.after else { return [] }
        return [after.nameKey, after.id.description]
    }

    /// `term` as one FTS5 phrase: quoted, with its quotes doubled, so nothing in it is an operator.
    static func phrase(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // The inner queries find the page's keys from the indexes alone; only the page's
    // own rows are then read from `teams`.

    private static func walkSQL(after cursor: SearchCursor?) -> String {
        """
        SELECT teams.* FROM (
            SELECT name_key AS k, id AS i FROM teams INDEXED BY teams_by_name_key
            WHERE instr(name_key, ?) > 0\(cursor == nil ? "" : " AND (name_key, id) > (?, ?)")
            ORDER BY name_key, id LIMIT ?
        ) JOIN teams ON teams.id = i ORDER BY k, i
        """
    }

    /// Every key read is returned with whether it matches, so the caller counts what
    /// the walk reads and stops it as soon as the page is full (LIMIT -1 is no limit).
    /// The gram's list and the long keys' are merged in key order, each read from the
    /// cursor by the primary key (SQLite plans a MERGE of two index ranges, no sort).
    private static let gramListSQL = """
        SELECT name_key, instr(name_key, ?1) > 0 AS matches FROM team_name_grams WHERE gram = ?2 AND name_key >= ?3
        UNION ALL
        SELECT name_key, instr(name_key, ?1) > 0 FROM team_name_grams WHERE gram = '' AND name_key >= ?3
        ORDER BY name_key LIMIT ?4
        """

    private static let teamsOfKeySQL = """
        SELECT * FROM teams INDEXED BY teams_by_name_key WHERE name_key = ? AND id > ? ORDER BY id LIMIT ?
        """

    private static func trigramSQL(after cursor: SearchCursor?) -> String {
        """
        SELECT teams.* FROM (
            SELECT r.name_key AS k, r.team_id AS i
            FROM team_name_trigrams JOIN team_search_rows AS r ON r.row = team_name_trigrams.rowid
            WHERE team_name_trigrams MATCH ? AND instr(r.name_key, ?) > 0\(cursor == nil ? "" : " AND (r.name_key, r.team_id) > (?, ?)")
            ORDER BY k, i LIMIT ?
        ) JOIN teams ON teams.id = i ORDER BY k, i
        """
    }
}
