import Foundation
import GRDB
import TeamsDomain
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// Stored data that does not parse fails the call that reads it with `.corrupt`
/// (an internal error to clients), and never crashes the server. The rows are
/// damaged behind the store's back, as a bad disk, a manual edit or a bug in an
/// older version could, through a connection of the test's own.
final class SQLiteCorruptDataTests: XCTestCase {
    /// Runs `sql` on the database file at `path` in a connection of its own; the
    /// store may stay open meanwhile (WAL lets a second connection write).
    private func damage(_ path: String, _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
        try queue.close()
    }

    /// What the `events.kind` column holds, oldest first.
    private func storedKinds(_ path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        let kinds = try queue.read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY sequence") }
        try queue.close()
        return kinds
    }

    private func newTeam(_ name: String) -> (Team, TeamEvent) {
        let team = Team(id: TeamIDGenerator.forThisProcess().next(), name: name)
        return (team, TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: name), occurredAt: 0))
    }

    /// A retry that meets a corrupt record fails alone: creates committed beside it stay,
    /// and the retry leaves no team behind.
    func testARetryMeetingACorruptRecordFailsAloneInItsCommit() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        _ = try await TeamInteractor(repository: store).createTeam(name: "Ajax", idempotencyKey: "retry-1")
        try damage(path, "UPDATE idempotency_keys SET team_id = 'not-an-xid' WHERE key = 'retry-1'")
        let retried = newTeam("Ajax")
        let clubs = (0..<50).map { newTeam("Club \($0)") }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do { _ = try await store.create(retried.0, event: retried.1, idempotencyKey: "retry-1") } catch { return false }
                return true
            }
            for (index, (team, event)) in clubs.enumerated() {
                group.addTask {
                    do { _ = try await store.create(team, event: event, idempotencyKey: "club-\(index)") } catch { return false }
                    return true
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        XCTAssertEqual(outcomes.filter { !$0 }.count, 1, "the retry alone fails")
        let missing = try await store.team(withID: retried.0.id)
        XCTAssertNil(missing)
        let queue = try DatabaseQueue(path: path)
        let teams = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM teams") }
        XCTAssertEqual(teams, 51)
    }

    func testAnIdempotencyKeyNamingNoXidIsAnErrorNotACrash() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let created = try await interactor.createTeam(name: "Ajax", idempotencyKey: "retry-1")
        try damage(path, "UPDATE idempotency_keys SET team_id = 'not-an-xid' WHERE key = 'retry-1'")

        let (team, event) = newTeam("Ajax")
        do throws(RepositoryError) {
            _ = try await store.create(team, event: event, idempotencyKey: "retry-1")
            XCTFail("a corrupt idempotency record must fail the create")
        } catch {
            XCTAssertEqual(error, .corrupt("idempotency key retry-1 names team not-an-xid, which is not an xid"))
        }
        do throws(TeamError) {
            _ = try await interactor.createTeam(name: "Ajax", idempotencyKey: "retry-1")
            XCTFail("a corrupt idempotency record must fail the create")
        } catch {
            XCTAssertEqual(error, .internal("store corrupt: idempotency key retry-1 names team not-an-xid, which is not an xid"))
        }

        // Nothing was written, and the rest of the store still works.
        let latest = try await store.latestSequence()
        XCTAssertEqual(latest, 1)
        let fetched = try await store.team(withID: created.id)
        XCTAssertEqual(fetched, created)
        _ = try await interactor.createTeam(name: "PSV", idempotencyKey: "retry-2")
    }

    func testAnIdempotencyKeyWhoseTeamIsGoneAndUnreadableIsAnError() async throws {
        try await assertARetryFails(
            afterStoringTeam: "'{\"id\":'", with: .corrupt("idempotency key retry-1 holds a team that is not JSON {id, name, players, version}"))
    }

    func testAnIdempotencyKeyWhoseBinaryTeamIsUnreadableIsAnError() async throws {
        // A name's length that runs past the end.
        try await assertARetryFails(afterStoringTeam: "X'0109414A'", with: .corrupt("idempotency key retry-1 holds a team that is not in the binary layout"))
    }

    /// A key whose team was deleted, and whose row's team column is then `teamSQL`:
    /// retrying the create fails with `expected`, and does not trap.
    private func assertARetryFails(afterStoringTeam teamSQL: String, with expected: RepositoryError) async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let created = try await interactor.createTeam(name: "Ajax", idempotencyKey: "retry-1")
        try await interactor.deleteTeam(id: created.id.description)
        try damage(path, "UPDATE idempotency_keys SET team = \(teamSQL) WHERE key = 'retry-1'")

        let (team, event) = newTeam("Ajax")
        do throws(RepositoryError) {
            _ = try await store.create(team, event: event, idempotencyKey: "retry-1")
            XCTFail("a corrupt idempotency record must fail the create")
        } catch {
            XCTAssertEqual(error, expected)
        }
    }

    func testATeamWithUnreadablePlayersIsAnErrorNotACrash() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let team = try await interactor.createTeam(name: "Ajax")
        try damage(path, "UPDATE teams SET players = 'not json' WHERE id = ?", [team.id.description])

        let message = "team \(team.id) has players that are not a JSON array of {name, position}"
        do throws(RepositoryError) {
            _ = try await store.team(withID: team.id)
            XCTFail("a corrupt team must fail the read")
        } catch {
            XCTAssertEqual(error, .corrupt(message))
        }
        do throws(TeamError) {
            _ = try await interactor.searchTeams(term: "")
            XCTFail("a corrupt team must fail the search that meets it")
        } catch {
            XCTAssertEqual(error, .internal("store corrupt: \(message)"))
        }
    }

    func testATeamWithUnreadableBinaryPlayersIsAnErrorNotACrash() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let team = try await interactor.createTeam(name: "Ajax")
        let damages: [(Data, String)] = [
            (Data([9, 3, 0x41, 0x42, 0x43]), "team \(team.id) has players that are not in the binary layout"),
            (Data([0, 9, 0x41]), "team \(team.id) has players that are not in the binary layout"),
            (Data([0, 2, 0xC3, 0x28]), "team \(team.id) has players that are not in the binary layout"),
            (Data([0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), "team \(team.id) has players that are not in the binary layout"),
        ]
        for (value, message) in damages {
            try damage(path, "UPDATE teams SET players = ? WHERE id = ?", [value, team.id.description])
            do throws(RepositoryError) {
                _ = try await store.team(withID: team.id)
                XCTFail("a corrupt team must fail the read: \(message)")
            } catch {
                XCTAssertEqual(error, .corrupt(message))
            }
        }
    }

    /// A row written before `PlayersBlob` holds JSON: it reads, and its next change writes the blob.
    func testPlayersWrittenAsJSONReadAndAreRewrittenInTheBinaryLayout() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let team = try await interactor.createTeam(name: "Ajax")
        try damage(path, #"UPDATE teams SET players = '[{"name":"Edwin","position":"GK"}]' WHERE id = ?"#, [team.id.description])
        let before = try await store.team(withID: team.id)
        XCTAssertEqual(before?.players, [Player(name: "Edwin", position: .goalkeeper)])

        _ = try await interactor.addPlayer(teamID: team.id.description, name: "Jari", position: .striker)
        let queue = try DatabaseQueue(path: path)
        let type = try await queue.read { db in try String.fetchOne(db, sql: "SELECT typeof(players) FROM teams WHERE id = ?", arguments: [team.id.description]) }
        try queue.close()
        XCTAssertEqual(type, "blob")
        let after = try await store.team(withID: team.id)
        XCTAssertEqual(after?.players, [Player(name: "Edwin", position: .goalkeeper), Player(name: "Jari", position: .striker)])
    }

    /// GRDB's `row["version"]` would trap on these; the store reads with `Row.stored`.
    func testATeamWithAVersionOfTheWrongTypeOrSignIsAnErrorNotACrash() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let team = try await interactor.createTeam(name: "Ajax")

        try damage(path, "UPDATE teams SET version = 'two' WHERE id = ?", [team.id.description])
        do throws(RepositoryError) {
            _ = try await store.team(withID: team.id)
            XCTFail("a corrupt team must fail the read")
        } catch {
            XCTAssertEqual(error, .corrupt("team \(team.id) has no readable version (expected Int64)"))
        }

        try damage(path, "UPDATE teams SET version = -1 WHERE id = ?", [team.id.description])
        do throws(RepositoryError) {
            _ = try await store.team(withID: team.id)
            XCTFail("a corrupt team must fail the read")
        } catch {
            XCTAssertEqual(error, .corrupt("team \(team.id)'s version is -1, which is negative"))
        }
    }

    func testAnEventOfAnUnknownKindIsAnErrorNotACrash() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        _ = try await interactor.createTeam(name: "Ajax")
        try damage(path, "UPDATE events SET kind = 'TeamExploded' WHERE sequence = 1")

        do throws(RepositoryError) {
            _ = try await store.events(after: 0, limit: 10)
            XCTFail("a corrupt event must fail the read")
        } catch {
            XCTAssertEqual(error, .corrupt("event 1 has unknown kind TeamExploded"))
        }
    }

    /// The stored kind strings are the ones every earlier version wrote.
    func testEventKindsAreStoredUnderTheirNames() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let team = try await interactor.createTeam(name: "Ajax")
        let id = team.id.description
        _ = try await interactor.renameTeam(id: id, to: "AFC Ajax")
        _ = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        _ = try await interactor.removePlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        try await interactor.deleteTeam(id: id)

        XCTAssertEqual(try storedKinds(path), ["TeamCreated", "TeamRenamed", "PlayerAdded", "PlayerRemoved", "TeamDeleted"])
        let events = try await store.events(after: 0, limit: 10)
        XCTAssertEqual(events.map(\.change.kind), [.teamCreated, .teamRenamed, .playerAdded, .playerRemoved, .teamDeleted])
    }
}
