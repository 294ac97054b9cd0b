import Foundation
import GRDB
import TeamsDomain
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// The trigram index behind SQLite search (the contract suite checks the answers with
/// each plan forced): it is built for a database that predates it, and it agrees with
/// a plain substring test over many teams and terms.
final class SQLiteTeamSearchTests: XCTestCase {
    private func create(_ names: [String], in store: SQLiteTeamStore) async throws -> [Team] {
        let ids = TeamIDGenerator.forThisProcess()
        var teams: [Team] = []
        for name in names {
            let team = Team(id: ids.next(), name: name)
            teams.append(try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: name), occurredAt: 0), idempotencyKey: nil))
        }
        return teams
    }

    func testADatabaseFromBeforeTheIndexGetsItsTeamsIndexed() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        do {
            let store = try SQLiteTeamStore(path: path)
            _ = try await create(["Golden Eagles", "Silver Eagles", "Ajax"], in: store)
        }
        // Back to the first schema, as a file written by a version without the index.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER teams_indexed_on_insert; DROP TRIGGER teams_indexed_on_rename; DROP TRIGGER teams_indexed_on_delete;
                DROP TABLE team_name_trigrams; DROP TABLE team_search_rows;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%';
                """)
        }
        try queue.close()

        let store = try SQLiteTeamStore(path: path, trigramCandidateLimit: 1 << 30)
        let page = try await store.search(TeamQuery(term: "eagle", limit: 10))
        XCTAssertEqual(page.teams.map(\.name), ["Golden Eagles", "Silver Eagles"])
        let integrity = try await store.integrityCheck()
        XCTAssertEqual(integrity, "ok")
    }

    /// Every substring of every name, searched with each plan and paged two at a time,
    /// gives exactly the teams whose name key contains it, in search order.
    func testBothPlansAgreeWithASubstringTest() async throws {
        let folder = try TemporaryFolder()
        let trigrams = try SQLiteTeamStore(path: folder.path("trigrams.sqlite"), trigramCandidateLimit: 1 << 30)
        let walk = try SQLiteTeamStore(path: folder.path("walk.sqlite"), trigramCandidateLimit: 0, walkBudget: nil)
        let shortWalk = try SQLiteTeamStore(path: folder.path("short-walk.sqlite"), trigramCandidateLimit: 0, walkBudget: 3)
        let names = ["Aston Villa", "Villarreal", "Real Madrid", "Réal Ville", "Ville Réal", "aaaa", "aaa aaa", "Villa Villa"]
        let teams = try await create(names, in: trigrams)
        for team in teams {
            for store in [walk, shortWalk] {
                _ = try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: team.name), occurredAt: 0), idempotencyKey: nil)
            }
        }
        var terms: Set<String> = []
        for team in teams {
            let scalars = Array(team.nameKey.unicodeScalars)
            for start in scalars.indices {
                for end in start + 1...min(scalars.count, start + 6) {
                    var term = String.UnicodeScalarView()
                    term.append(contentsOf: scalars[start..<end])
                    terms.insert(String(term))
                }
            }
        }
        for term in terms {
            let expected = teams.filter { $0.nameKey.utf8.firstRange(of: term.utf8) != nil }.sorted(by: Team.searchOrder).map(\.id)
            for store in [trigrams, walk, shortWalk] {
                var found: [TeamID] = []
                var after: SearchCursor?
                repeat {
                    let page = try await store.search(TeamQuery(term: term, limit: 2, after: after))
                    found += page.teams.map(\.id)
                    after = page.next
                } while after != nil
                XCTAssertEqual(found, expected, "term \"\(term)\" in \(store.path)")
            }
        }
    }
}
