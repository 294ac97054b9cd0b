import Foundation
import GRDB
import InMemoryLogging
import Logging
import TeamsDomain
@testable import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// The trigram index and the gram lists behind SQLite search (the contract suite checks
/// the answers with each plan forced): they are built for a database that predates
/// them, they agree with a plain substring test over many teams and terms, and a
/// name key shared by several teams stays listed until the last of them goes.
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
            let fresh = InMemoryLogHandler()
            let store = try SQLiteTeamStore(path: path, logger: Logger(label: "test") { _ in fresh })
            XCTAssertEqual(fresh.entries, [], "a new file's schema is made without a word")
            _ = try await create(["Golden Eagles", "Silver Eagles", "Ajax"], in: store)
        }
        // Back to the first schema, as a file written by a version without the indexes.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER teams_indexed_on_insert; DROP TRIGGER teams_indexed_on_rename; DROP TRIGGER teams_indexed_on_delete;
                DROP TABLE team_name_trigrams; DROP TABLE team_search_rows;
                DROP TRIGGER teams_gram_listed_on_insert; DROP TRIGGER teams_gram_listed_on_rename; DROP TRIGGER teams_gram_listed_on_delete;
                DROP TABLE team_name_grams;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%' OR identifier LIKE 'v3:%' OR identifier LIKE 'v4:%';
                """)
        }
        try queue.close()

        let log = InMemoryLogHandler()
        let store = try SQLiteTeamStore(path: path, logger: Logger(label: "test") { _ in log }, trigramCandidateLimit: 1 << 30)
        XCTAssertEqual(log.entries.map(\.level), [.notice, .notice], "the upgrade is announced, then its end")
        XCTAssertEqual(log.entries.first?.metadata["teams"], "3")
        XCTAssertTrue("\(log.entries.first?.metadata["migrations"] ?? "")".hasPrefix("v2:"), "\(log.entries)")
        let page = try await store.search(TeamQuery(term: "eagle", limit: 10))
        XCTAssertEqual(page.teams.map(\.name), ["Golden Eagles", "Silver Eagles"])
        let pairs = try await store.search(TeamQuery(term: "ag", limit: 10))
        XCTAssertEqual(pairs.teams.map(\.name), ["Golden Eagles", "Silver Eagles"])
        let walked = try SQLiteTeamStore(path: folder.path("walked.sqlite"), trigramCandidateLimit: 0, walkBudget: nil)
        _ = try await create(["Golden Eagles", "Silver Eagles", "Ajax"], in: walked)
        let longer = try await store.search(TeamQuery(term: "gles", limit: 10)).teams.map(\.name)
        let longerWalked = try await walked.search(TeamQuery(term: "gles", limit: 10)).teams.map(\.name)
        XCTAssertEqual(longer, longerWalked)
        let integrity = try await store.integrityCheck()
        XCTAssertEqual(integrity, "ok")
    }

    func testASharedNameKeyStaysListedUntilItsLastTeamGoes() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path, trigramCandidateLimit: 0, walkBudget: nil)
        let teams = try await create(["Ajax", "AJAX", "Jaxon"], in: store)
        func names(_ term: String) async throws -> [String] {
            try await store.search(TeamQuery(term: term, limit: 10)).teams.map(\.name)
        }
        func listedGrams() async throws -> [String] {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT gram || '/' || name_key FROM team_name_grams ORDER BY gram, name_key")
            }
        }
        let found1 = try await names("ja")
        XCTAssertEqual(found1, ["Ajax", "AJAX", "Jaxon"])
        let found2 = try await listedGrams()
        XCTAssertEqual(found2, [
            "aj/ajax", "aja/ajax", "ax/ajax", "ax/jaxon", "axo/jaxon", "ja/ajax", "ja/jaxon", "jax/ajax", "jax/jaxon", "on/jaxon", "xo/jaxon", "xon/jaxon",
        ])

        try await store.delete(teams[0].id, expectedVersion: 1, event: TeamEvent(teamID: teams[0].id, version: 2, change: .teamDeleted, occurredAt: 0))
        let found3 = try await names("aj")
        XCTAssertEqual(found3, ["AJAX"], "the key stays while a team has it")

        var renamed = teams[1]
        renamed.name = "Hawks"
        renamed.version = 2
        try await store.update(renamed, expectedVersion: 1, event: TeamEvent(teamID: renamed.id, version: 2, change: .teamRenamed(name: "Hawks"), occurredAt: 0))
        let found4 = try await names("aj")
        XCTAssertEqual(found4, [], "the key goes with its last team")
        let found5 = try await names("aw")
        XCTAssertEqual(found5, ["Hawks"])
        let found6 = try await names("ja")
        XCTAssertEqual(found6, ["Jaxon"])
        let found7 = try await listedGrams()
        XCTAssertEqual(found7, [
            "aw/hawks", "awk/hawks", "ax/jaxon", "axo/jaxon", "ha/hawks", "haw/hawks", "ja/jaxon", "jax/jaxon", "ks/hawks", "on/jaxon", "wk/hawks", "wks/hawks",
            "xo/jaxon", "xon/jaxon",
        ])
    }

    /// A key longer than the gram lists take is listed once, under the empty gram, and
    /// goes with its last team; a file written by schema v3 is brought to that layout.
    func testALongKeyIsListedOnceAndAVersionThreeFileIsUpgraded() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let long = String(repeating: "x", count: SQLiteSchema.gramListedKeyBytes - 1) + "yz"
        let edge = String(repeating: "w", count: SQLiteSchema.gramListedKeyBytes - 2) + "uv"
        func listed() async throws -> [String] {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            return try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT gram || '/' || substr(name_key, -3) FROM team_name_grams WHERE name_key NOT LIKE 'w%' ORDER BY gram, name_key")
            }
        }
        do {
            let store = try SQLiteTeamStore(path: path, trigramCandidateLimit: 0, walkBudget: nil)
            let teams = try await create([long, "Ajax", edge], in: store)
            let rows = try await listed()
            XCTAssertEqual(rows, ["/xyz", "aj/jax", "aja/jax", "ax/jax", "ja/jax", "jax/jax"])
            let found = try await store.search(TeamQuery(term: "yz", limit: 10)).teams.map(\.name)
            XCTAssertEqual(found, [long])
            let atTheEdge = try await store.search(TeamQuery(term: "uv", limit: 10)).teams.map(\.name)
            XCTAssertEqual(atTheEdge, [edge], "a key of exactly the limit keeps its lists")
            try await store.delete(teams[0].id, expectedVersion: 1, event: TeamEvent(teamID: teams[0].id, version: 2, change: .teamDeleted, occurredAt: 0))
            let afterDelete = try await listed()
            XCTAssertEqual(afterDelete, ["aj/jax", "aja/jax", "ax/jax", "ja/jax", "jax/jax"])
            _ = try await create([long], in: store)
        }
        // Back to v3's lists: every gram of the long key.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DELETE FROM team_name_grams WHERE gram = '';
                INSERT INTO team_name_grams (gram, name_key) VALUES ('xx', ?), ('xxx', ?), ('xy', ?), ('xyz', ?), ('yz', ?);
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v4:%';
                """, arguments: [long, long, long, long, long])
        }
        try queue.close()
        let store = try SQLiteTeamStore(path: path, trigramCandidateLimit: 0, walkBudget: nil)
        let rows = try await listed()
        XCTAssertEqual(rows, ["/xyz", "aj/jax", "aja/jax", "ax/jax", "ja/jax", "jax/jax"])
        let found = try await store.search(TeamQuery(term: "xyz", limit: 10)).teams.map(\.name)
        XCTAssertEqual(found, [long])
    }

    /// The worst names the rules allow cost a bounded amount of disk, of the order of an
    /// ordinary name's: the longest (256 bytes of combining marks) and the longest that
    /// the gram lists take in full (48 bytes, all grams distinct).
    func testTheWorstNamesCostAboutWhatAnOrdinaryNameCosts() async throws {
        let marks = String(String.UnicodeScalarView((Array(0x300...0x36F) + Array(0x591...0x59E)).map { Unicode.Scalar(UInt32($0))! }))
        let letters = String(String.UnicodeScalarView((0..<45).map { Unicode.Scalar(0x21 + UInt32($0))! }))
        let kinds: [(String, (Int) -> String)] = [
            ("ordinary", { "Borussia Dortmund \($0)" }),
            ("longest", { String(format: "%03d", $0) + marks }),
            ("widest", { letters + String(format: "%03d", $0) }),
        ]
        XCTAssertEqual(try TeamRules.default.teamName(kinds[1].1(0)).utf8.count, 255)
        XCTAssertEqual(try TeamRules.default.teamName(kinds[2].1(0)).lowercased().utf8.count, SQLiteSchema.gramListedKeyBytes)
        var bytes: [String: Int] = [:]
        for (what, name) in kinds {
            let folder = try TemporaryFolder()
            let path = folder.path("teams.sqlite")
            do {
                let store = try SQLiteTeamStore(path: path)
                let interactor = TeamInteractor(repository: store)
                for number in 0..<300 { _ = try await interactor.createTeam(name: name(number)) }
                let term = String(String.UnicodeScalarView(name(0).unicodeScalars.dropFirst(5).prefix(2)))
                let found = try await interactor.searchTeams(term: term, pageSize: 500)
                XCTAssertEqual(found.teams.count, 300, what)
            }
            let queue = try DatabaseQueue(path: path)
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try queue.close()
            bytes[what] = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        }
        let ordinary = try XCTUnwrap(bytes["ordinary"])
        for what in ["longest", "widest"] {
            XCTAssertLessThan(bytes[what] ?? .max, 5 * ordinary, "\(what): \(bytes)")
        }
    }

    /// Every substring of every name, searched with each plan and paged two at a time,
    /// gives exactly the teams whose name key contains it, in search order.
    func testBothPlansAgreeWithASubstringTest() async throws {
        let folder = try TemporaryFolder()
        let trigrams = try SQLiteTeamStore(path: folder.path("trigrams.sqlite"), trigramCandidateLimit: 1 << 30)
        let walk = try SQLiteTeamStore(path: folder.path("walk.sqlite"), trigramCandidateLimit: 0, walkBudget: nil)
        let shortWalk = try SQLiteTeamStore(path: folder.path("short-walk.sqlite"), trigramCandidateLimit: 0, walkBudget: 3)
        let names = [
            "Aston Villa", "Villarreal", "Real Madrid", "Réal Ville", "Ville Réal", "aaaa", "aaa aaa", "Villa Villa", "VILLA villa", "⚽️ Villa", "Ville",
            // Longer than the gram lists take: listed once, found by every term all the same.
            "Villa Borussia für Leibesübungen 1900 Mönchengladbach Réal", String(repeating: "ab", count: 16) + "Villa",
        ]
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
