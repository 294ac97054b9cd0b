import Foundation
import GRDB
import TeamsDomain

/// How `SQLiteTeamStore` finds a page of `TeamQuery` matches at about the cost of the
/// page rather than of the table.
///
/// Both plans test each candidate with `instr`, an exact substring test, so `%`, `_`
/// and the FTS5 query syntax are plain characters in a term:
/// - **trigram**: a term of 3 or more characters that the trigram index
///   (`team_name_trigrams`) matches in at most `trigramCandidateLimit` teams. The
///   candidates are sorted and cut after the cursor; the cost grows with the matches.
/// - **walk**: the `(name_key, id)` index in order from the cursor, testing each key,
///   until the page is full. It reads about (page + 1) / (share of teams matching) keys.
///
/// A term with more trigram candidates than the limit matches more than
/// `limit / table` of the teams, so its walk reads at most `(page + 1) × table / limit`
/// keys. Terms of 1 or 2 characters, which trigrams cannot index, are always walked:
/// such terms usually match densely, and a rare one reads up to the whole index
/// (about 0.12 µs per team on this project's benchmark box).
struct SQLiteTeamSearch: Sendable {
    /// The most trigram candidates worth sorting before walking is cheaper.
    let trigramCandidateLimit: Int

    /// A negative limit walks every search; the limit is capped so that `limit + 1` cannot overflow.
    init(trigramCandidateLimit: Int) {
        self.trigramCandidateLimit = max(0, min(trigramCandidateLimit, 1 << 40))
    }

    func page(_ query: TeamQuery, in db: Database) throws -> TeamPage {
        let teams: [Team]
        if try usesTrigrams(query.term, in: db) {
            teams = try fetch(Self.trigramSQL(after: query.after), query, in: db, first: [Self.phrase(query.term)])
        } else {
            teams = try fetch(Self.walkSQL(after: query.after), query, in: db, first: [])
        }
        return TeamPage(cutting: teams, limit: query.limit)
    }

    private func usesTrigrams(_ term: String, in db: Database) throws -> Bool {
        // FTS5 ends a string at NUL, so such a term is only safe to walk.
        guard term.unicodeScalars.count >= 3, !term.unicodeScalars.contains("\0") else { return false }
        let candidates = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM (SELECT rowid FROM team_name_trigrams WHERE team_name_trigrams MATCH ? LIMIT ?)"),
            arguments: [Self.phrase(term), trigramCandidateLimit + 1]) ?? 0
        return candidates <= trigramCandidateLimit
    }

    /// Runs `sql` with `first`, then the term, the cursor and the limit; one team more
    /// than the page tells whether there is a next page.
    private func fetch(_ sql: String, _ query: TeamQuery, in db: Database, first: StatementArguments) throws -> [Team] {
        var arguments = first + [query.term]
        if let after = query.after { arguments += [after.nameKey, after.id.description] }
        arguments += [query.limit + 1]
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(TeamRow.team(from:))
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
