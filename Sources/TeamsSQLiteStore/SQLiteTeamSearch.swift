import Foundation
import GRDB
import TeamsDomain

/// How `SQLiteTeamStore` finds a page of `TeamQuery` matches at about the cost of the
/// page rather than of the table.
///
/// Both plans test each candidate with `instr`, an exact substring test, so `%`, `_`
/// and the FTS5 query syntax are plain characters in a term:
/// - **trigram**: the trigram index (`team_name_trigrams`) gives the teams holding every
///   trigram of the term; they are sorted and cut after the cursor. The cost grows with
///   the candidates (about 0.85 µs each on this project's benchmark box).
/// - **walk**: the `(name_key, id)` index in order from the cursor, testing each key
///   (about 0.12 µs each), until the page is full.
///
/// A term of 3 or more characters with at most `trigramCandidateLimit` candidates takes
/// the trigram plan. One with more matches densely on average, so it walks, but at most
/// `walkBudget` keys: when its matches cluster later in the name order (a prefix such as
/// `b98` of a million names `b0`, `b1`, ...), the walk gives up and the trigram plan
/// answers. Terms of 1 or 2 characters, which trigrams cannot index, always walk to the
/// page's end: such terms usually match densely, but one whose matches are rare or
/// cluster late reads up to the whole index (about 120 ms per million teams).
struct SQLiteTeamSearch: Sendable {
    /// The most trigram candidates worth sorting before walking is cheaper.
    let trigramCandidateLimit: Int

    /// The most keys a walk of an indexable term reads before the trigram plan answers
    /// instead; `nil` walks to the page's end (tests use it to force the walk).
    let walkBudget: Int?

    /// Limits are capped so that `limit + 1` cannot overflow; a negative one counts as 0.
    init(trigramCandidateLimit: Int = 2500, walkBudget: Int? = 20_000) {
        self.trigramCandidateLimit = max(0, min(trigramCandidateLimit, 1 << 40))
        self.walkBudget = walkBudget.map { max(1, min($0, 1 << 40)) }
    }

    func page(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        // FTS5 ends a string at NUL, so such a term is only safe to walk.
        let indexable = query.term.unicodeScalars.count >= 3 && !query.term.unicodeScalars.contains("\0")
        guard indexable else { return try walk(query, in: db, budget: nil) }
        if try candidates(query.term, in: db) <= trigramCandidateLimit {
            return try trigrams(query, in: db)
        }
        let walked = try walk(query, in: db, budget: walkBudget)
        // A full page is exact; a short one may only mean the budget ran out.
        return walked.next != nil || walkBudget == nil ? walked : try trigrams(query, in: db)
    }

    private func candidates(_ term: String, in db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (SELECT rowid FROM team_name_trigrams WHERE team_name_trigrams MATCH ? LIMIT ?)"),
            arguments: [Self.phrase(term), trigramCandidateLimit + 1]) ?? 0
    }

    private func trigrams(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        try fetch(Self.trigramSQL(after: query.after), in: db, [Self.phrase(query.term), query.term] + Self.cursor(query) + [query.limit + 1], limit: query.limit)
    }

    private func walk(_ query: TeamQuery, in db: Database, budget: Int?) throws -> TeamPage {
        guard let budget else {
            return try fetch(Self.walkSQL(after: query.after), in: db, [query.term] + Self.cursor(query) + [query.limit + 1], limit: query.limit)
        }
        return try fetch(Self.budgetedWalkSQL(after: query.after), in: db, Self.cursor(query) + [budget, query.term, query.limit + 1], limit: query.limit)
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

    private static func budgetedWalkSQL(after cursor: SearchCursor?) -> String {
        """
        SELECT teams.* FROM (
            SELECT k, i FROM (
                SELECT name_key AS k, id AS i FROM teams INDEXED BY teams_by_name_key
                \(cursor == nil ? "" : "WHERE (name_key, id) > (?, ?)") ORDER BY name_key, id LIMIT ?
            ) WHERE instr(k, ?) > 0 ORDER BY k, i LIMIT ?
        ) JOIN teams ON teams.id = i ORDER BY k, i
        """
    }

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
