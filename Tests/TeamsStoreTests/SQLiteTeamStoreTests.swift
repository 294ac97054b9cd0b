import Foundation
import Synchronization
import GRDB
import TeamsDomain
@testable import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

final class SQLiteTeamStoreTests: XCTestCase {
    func testDataSurvivesReopening() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("nested/folder/teams.sqlite")
        let interactorTeam: Team
        do {
            let store = try SQLiteTeamStore(path: path)
            let interactor = TeamInteractor(repository: store)
            interactorTeam = try await interactor.createTeam(name: "Ajax")
            _ = try await interactor.addPlayer(teamID: interactorTeam.id.description, name: "Edwin", position: .goalkeeper)
        }
        let reopened = try SQLiteTeamStore(path: path)
        let team = try await reopened.team(withID: interactorTeam.id)
        XCTAssertEqual(team?.players.map(\.name), ["Edwin"])
        XCTAssertEqual(team?.version, 2)
        let latest = try await reopened.latestSequence()
        XCTAssertEqual(latest, 2)
    }

    func testOnlyTeamsInTheReadCacheAreAnsweredWithoutWaiting() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let team = Team(id: TeamIDGenerator.forThisProcess().next(), name: "Ajax")
        let event = TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 0)
        do {
            let uncached = try SQLiteTeamStore(path: path)
            _ = try await uncached.create(team, event: event, idempotencyKey: nil)
            _ = try await uncached.team(withID: team.id)
            guard case .mustWait = uncached.teamWithoutWaiting(withID: team.id) else { return XCTFail("a store without a cache must wait") }
        }
        let cached = try SQLiteTeamStore(path: path, cacheBytes: 1 << 20)
        guard case .mustWait = cached.teamWithoutWaiting(withID: team.id) else { return XCTFail("a team not read yet must wait") }
        _ = try await cached.team(withID: team.id)
        guard case .answered(let answered) = cached.teamWithoutWaiting(withID: team.id) else { return XCTFail("a team just read is cached") }
        XCTAssertEqual(answered, team)
        // The cache holds teams, not their absence.
        guard case .mustWait = cached.teamWithoutWaiting(withID: TeamIDGenerator.forThisProcess().next()) else { return XCTFail("a missing id must wait") }
    }

    /// A key older than the window is claimed again by the next create that brings it.
    func testAnExpiredIdempotencyKeyIsClaimedAgain() async throws {
        let folder = try TemporaryFolder()
        let now = Mutex<Int64>(1_700_000_000_000)
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"), clock: WallClock { now.withLock { $0 } })
        let ids = TeamIDGenerator.forThisProcess()
        let first = Team(id: ids.next(), name: "Ajax")
        _ = try await store.create(first, event: TeamEvent(teamID: first.id, version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 0), idempotencyKey: "key")
        let second = Team(id: ids.next(), name: "Ajax")
        let secondEvent = TeamEvent(teamID: second.id, version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 0)

        now.withLock { $0 += SQLiteTeamStore.idempotencyWindowMilliseconds - 1 }
        let withinWindow = try await store.create(second, event: secondEvent, idempotencyKey: "key")
        XCTAssertEqual(withinWindow, first, "within the window the key answers with the first team")

        now.withLock { $0 += 2 }
        let afterWindow = try await store.create(second, event: secondEvent, idempotencyKey: "key")
        XCTAssertEqual(afterWindow, second, "after it, the key is claimed again")
        now.withLock { $0 += 1 }
        let retried = try await store.create(Team(id: ids.next(), name: "Ajax"), event: secondEvent, idempotencyKey: "key")
        XCTAssertEqual(retried, second, "and answers with the team created under the new claim")
    }

    /// A key claimed before `CreatedTeamBlob` holds its team as JSON, which is still read.
    func testAKeyClaimedWithAJSONTeamAnswersWithThatTeam() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let created = try await interactor.createTeam(name: "Ajax", idempotencyKey: "retry-1")
        try await interactor.deleteTeam(id: created.id.description)
        let asBefore = Team(id: created.id, name: "Ajax Amsterdam", players: [Player(name: "Zoë", position: .midfielder)], version: 1)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE idempotency_keys SET team = ? WHERE key = 'retry-1'", arguments: [TeamRow.encode(json: asBefore)])
        }
        try queue.close()

        let retried = try await interactor.createTeam(name: "Ajax", idempotencyKey: "retry-1")
        XCTAssertEqual(retried, asBefore)
    }

    /// The writer syncs the log on every commit (FULL, 2), so an acknowledged write
    /// survives a power cut: GRDB's pool sets NORMAL (1) when it turns WAL on.
    func testTheWriterSyncsEveryCommit() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"))
        let level = try await store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        XCTAssertEqual(level, 2)
    }

    /// Events are pruned in sequence order (schema v6), so no index by time is kept in step with every write.
    func testEventsHaveNoIndexByTime() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"))
        let indexes = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'") }
        XCTAssertEqual(indexes, [])
    }

    func testASecondServerOnTheSameFileIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let first = try SQLiteTeamStore(path: path)
        XCTAssertThrowsError(try SQLiteTeamStore(path: path)) { error in
            XCTAssertEqual("\(error)", "cannot open SQLite database \(path): it is in use by another teams-server (\(path).lock is locked)")
        }
        _ = first
    }

    /// The lock belongs to the file, not to the path: a symlink, a link to its folder
    /// or a path with `..` in it reaches the same lock.
    func testASecondServerThroughALinkOrAnotherSpellingIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = SQLiteTeamStore.resolved(folder.path("teams.sqlite"))
        try FileManager.default.createDirectory(atPath: folder.path("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.sqlite"), withDestinationPath: path)
        try FileManager.default.createSymbolicLink(atPath: folder.path("folder-link"), withDestinationPath: folder.url.path)
        let first = try SQLiteTeamStore(path: folder.path("teams.sqlite"))
        for other in [folder.path("link.sqlite"), folder.path("folder-link/teams.sqlite"), folder.path("sub/../teams.sqlite")] {
            XCTAssertThrowsError(try SQLiteTeamStore(path: other), other) { error in
                XCTAssertEqual("\(error)", "cannot open SQLite database \(other): it is in use by another teams-server (\(path).lock is locked)")
            }
        }
        _ = first
    }

    func testAFileThatIsNotADatabaseIsNamed() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("notes.sqlite")
        try Data(String(repeating: "these are not the pages you are looking for\n", count: 100).utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteTeamStore(path: path)) { error in
            XCTAssertEqual("\(error)", "cannot open SQLite database \(path): the file is not a SQLite database")
        }
    }

    func testAFolderThatCannotBeCreatedIsNamed() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("file")
        try Data().write(to: URL(fileURLWithPath: file))
        let path = file + "/teams.sqlite"  // a folder inside a regular file
        XCTAssertThrowsError(try SQLiteTeamStore(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot open SQLite database \(path): cannot create folder"), "\(error)")
        }
    }

    func testAFullDiskFailsTheWriteWithResourceExhaustedAndLosesNothing() async throws {
        // A size quota fails writes with SQLITE_FULL exactly as a full disk does.
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"), maximumBytes: 256 * 1024)
        let interactor = TeamInteractor(repository: store)
        var acknowledged: [Team] = []
        var failure: TeamError?
        let longName = String(repeating: "n", count: 100)
        while failure == nil, acknowledged.count < 100_000 {
            do {
                acknowledged.append(try await interactor.createTeam(name: longName))
            } catch {
                failure = error
            }
        }
        guard case .resourceExhausted(let message) = failure else { return XCTFail("expected resourceExhausted, got \(String(describing: failure))") }
        XCTAssertTrue(message.contains("full"), message)
        XCTAssertGreaterThan(acknowledged.count, 100)
        for team in acknowledged {
            let stored = try await store.team(withID: team.id)
            XCTAssertEqual(stored, team)
        }
        let integrity = try await store.integrityCheck()
        XCTAssertEqual(integrity, "ok")
        let events = try await store.events(after: 0, limit: 1_000_000)
        XCTAssertEqual(events.count, acknowledged.count, "no event without its change")
    }

    func testTwoHundredConcurrentAddPlayersToOneTeamAllLand() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"))
        let interactor = TeamInteractor(repository: store, rules: TeamRules(squadLimit: 500))
        let id = try await interactor.createTeam(name: "Squad").id.description
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await interactor.addPlayer(teamID: id, name: "Player \(index)", position: .midfielder) }
            }
            try await group.waitForAll()
        }
        let team = try await interactor.team(id: id)
        XCTAssertEqual(team.players.count, 200)
        XCTAssertEqual(Set(team.players.map(\.name)).count, 200)
        XCTAssertEqual(team.version, 201)
        let events = try await store.events(after: 0, limit: 1000)
        XCTAssertEqual(events.map(\.sequence), Array(1...201))
    }

    func testCrossProcessConflictsAreStillRetried() async throws {
        // Two interactors (as two processes would have) on one store: no shared
        // per-team queue, so only the version check and the retries keep every update.
        let folder = try TemporaryFolder()
        let store = try SQLiteTeamStore(path: folder.path("teams.sqlite"))
        let rules = TeamRules(squadLimit: 500)
        let left = TeamInteractor(repository: store, rules: rules)
        let right = TeamInteractor(repository: store, rules: rules)
        let id = try await left.createTeam(name: "Shared").id.description
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<60 {
                let interactor = index.isMultiple(of: 2) ? left : right
                group.addTask { _ = try await interactor.addPlayer(teamID: id, name: "P\(index)", position: .defender) }
            }
            try await group.waitForAll()
        }
        let team = try await left.team(id: id)
        XCTAssertEqual(team.players.count, 60)
        XCTAssertEqual(team.version, 61)
    }

    /// With a cache, new events are read from memory; they must be the file's, from
    /// any position, including the events written before this store opened.
    func testEventsReadFromMemoryAreTheFilesFromAnyPosition() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        do {
            let earlier = TeamInteractor(repository: try SQLiteTeamStore(path: path, cacheBytes: 1 << 20))
            for index in 0..<5 { _ = try await earlier.createTeam(name: "Before \(index)") }
        }
        let store = try SQLiteTeamStore(path: path, cacheBytes: 1 << 20)
        let interactor = TeamInteractor(repository: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let id = try await interactor.createTeam(name: "Team \(index)").id.description
                    _ = try await interactor.addPlayer(teamID: id, name: "Player", position: .striker)
                    if index.isMultiple(of: 4) { try await interactor.deleteTeam(id: id) }
                }
            }
            try await group.waitForAll()
        }
        let file = try DatabaseQueue(path: path)
        let stored = try await file.read { db in
            try Row.fetchAll(db, sql: "SELECT \(EventRow.columns) FROM events ORDER BY sequence").map { row in try EventRow.event(from: row) }
        }
        XCTAssertEqual(stored.map(\.sequence), Array(1...95))
        for after in [0, 4, 5, 6, 50, 94, 95] as [UInt64] {
            let read = try await store.events(after: after, limit: 30)
            XCTAssertEqual(read, Array(stored.filter { $0.sequence > after }.prefix(30)), "after \(after)")
        }
    }

    /// The log's pages reach the file while commits go on, long before the writer's own
    /// checkpoint (`wal_autocheckpoint`) would copy them.
    func testTheLogIsCopiedIntoTheFileWithoutWaitingForTheWritersCheckpoint() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")
        let store = try SQLiteTeamStore(path: path)
        let interactor = TeamInteractor(repository: store)
        let sizeBefore = try fileSize(path)
        for index in 0..<200 { _ = try await interactor.createTeam(name: "Team \(index) with a name long enough to fill pages") }
        let deadline = ContinuousClock.now + .seconds(10)
        while try fileSize(path) <= sizeBefore, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertGreaterThan(try fileSize(path), sizeBefore, "the teams stayed in the log")
        withExtendedLifetime(store) {}
    }

    private func fileSize(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}
