import Foundation
import GRDB
import InMemoryLogging
import Logging
import TeamsDomain
@testable import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// Search on the SQLite store: the index in memory is built from the file on opening
/// (an older file's search tables are dropped), pages agree with a plain substring
/// test, and a page never shows a team that a concurrent change took out
/// of it. The contract suite checks the answers too.
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

    func testAFileWithTheSearchTablesIsUpgradedAndItsTeamsFound() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        // A file as the version before wrote it: schema v4, teams in its search tables.
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v4: long name keys listed once, so a key's lists grow linearly with it")
        try await queue.write { db in
            for (index, name) in ["Golden Eagles", "Silver Eagles", "Ajax"].enumerated() {
                try db.execute(
                    sql: "INSERT INTO teams (id, name, name_key, players, version) VALUES (?, ?, ?, '[]', 1)",
                    arguments: [TeamIDGenerator.forThisProcess().next().description, name, name.lowercased()])
                XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM team_search_rows"), index + 1)
            }
        }
        try queue.close()

        let log = InMemoryLogHandler()
        let store = try SQLiteTeamStore(path: path, logger: Logger(label: "test") { _ in log })
        XCTAssertEqual(log.entries.map(\.level), [.notice, .notice, .info], "the upgrade is announced, then its end, then the index")
        XCTAssertEqual(log.entries.first?.metadata["teams"], "3")
        XCTAssertTrue("\(log.entries.first?.metadata["migrations"] ?? "")".hasPrefix("v5:"), "\(log.entries)")
        XCTAssertEqual(log.entries.last?.metadata["teams"], "3")
        for term in ["eagle", "ag", "e"] {
            let page = try await store.search(TeamQuery(term: term, limit: 10))
            XCTAssertEqual(page.teams.map(\.name), ["Golden Eagles", "Silver Eagles"], term)
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        let tables = try await DatabaseQueue(path: path, configuration: readOnly).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' OR name GLOB 'team_*' OR name GLOB 'teams_*' ORDER BY name")
        }
        XCTAssertEqual(tables, [], "the search tables, their triggers and the name key index are gone")
        let integrity = try await store.integrityCheck()
        XCTAssertEqual(integrity, "ok")
    }

    func testTheIndexIsBuiltFromTheFileOnOpening() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        do {
            let store = try SQLiteTeamStore(path: path)
            let teams = try await create(["Ajax", "Ajax Cape Town", "PSV", "Porto"], in: store)
            var renamed = teams[2]
            renamed.name = "Ajax Amateurs"
            renamed.version = 2
            try await store.update(renamed, expectedVersion: 1, event: TeamEvent(teamID: renamed.id, version: 2, change: .teamRenamed(name: renamed.name), occurredAt: 0))
            try await store.delete(teams[0].id, expectedVersion: 1, event: TeamEvent(teamID: teams[0].id, version: 2, change: .teamDeleted, occurredAt: 0))
        }
        let reopened = try SQLiteTeamStore(path: path)
        let page = try await reopened.search(TeamQuery(term: "ajax", limit: 10))
        XCTAssertEqual(page.teams.map(\.name), ["Ajax Amateurs", "Ajax Cape Town"])
        let all = try await reopened.search(TeamQuery(term: "", limit: 10))
        XCTAssertEqual(all.teams.map(\.name), ["Ajax Amateurs", "Ajax Cape Town", "Porto"])
    }

    func testATeamRowWhoseIdIsNotAnXidStopsOpeningAndNamesIt() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        _ = try await create(["Ajax"], in: try SQLiteTeamStore(path: path))
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "UPDATE teams SET id = 'not-an-xid'") }
        try queue.close()
        XCTAssertThrowsError(try SQLiteTeamStore(path: path)) { error in
            XCTAssertEqual("\(error)", "cannot open SQLite database \(path): the database is corrupt: team id not-an-xid is not an xid")
        }
    }

    /// Every substring of every name, searched and paged two at a time,
    /// gives exactly the teams whose name key contains it, in search order.
    func testEverySubstringFindsExactlyTheTeamsHoldingIt() async throws {
        let folder = try TemporaryFolder()
        // Without a cache every page's teams are read from the file; with one, from memory.
        let stores = try [0, 1 << 20].map { cacheBytes in try SQLiteTeamStore(path: folder.path("\(cacheBytes).sqlite"), cacheBytes: cacheBytes) }
        let names = [
            "Aston Villa", "Villarreal", "Real Madrid", "Réal Ville", "Ville Réal", "aaaa", "aaa aaa", "Villa Villa", "VILLA villa", "⚽️ Villa", "Ville",
            // Longer than the gram lists take: listed once, found by every term all the same.
            "Villa Borussia für Leibesübungen 1900 Mönchengladbach Réal", String(repeating: "ab", count: 16) + "Villa",
        ]
        let teams = try await create(names, in: stores[0])
        for team in teams {
            for store in stores.dropFirst() {
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
            for store in stores {
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

    /// Renames move teams in and out of a term's pages while they are read: every page
    /// holds only teams that match, in order, and the teams never renamed are all found.
    func testPagesReadDuringRenamesHoldOnlyMatchingTeams() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"), cacheBytes: 1 << 20)
        let steady = try await create((0..<40).map { "steady \($0)" }, in: store)
        let moving = try await create((0..<40).map { "moving \($0)" }, in: store)
        let renames = Task {
            for round in 1...20 {
                for var team in moving {
                    team.version = UInt64(round + 1)
                    team.name = round % 2 == 1 ? "steady moved \(team.id)" : "moving \(team.id)"
                    try await store.update(team, expectedVersion: UInt64(round), event: TeamEvent(teamID: team.id, version: team.version, change: .teamRenamed(name: team.name), occurredAt: 0))
                }
            }
        }
        for _ in 0..<30 {
            var found: [Team] = []
            var after: SearchCursor?
            repeat {
                let page = try await store.search(TeamQuery(term: "steady", limit: 7, after: after))
                XCTAssertTrue(page.teams.allSatisfy { $0.nameKey.contains("steady") }, "\(page.teams.map(\.name))")
                XCTAssertEqual(page.teams, page.teams.sorted(by: Team.searchOrder))
                found += page.teams
                after = page.next
            } while after != nil
            XCTAssertTrue(Set(steady.map(\.id)).isSubset(of: found.map(\.id)))
        }
        try await renames.value
    }
}
