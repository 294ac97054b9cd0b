import Synchronization
import TeamsDomain
import TeamsMemoryStore
import XCTest

/// Records what the interactor publishes.
final class RecordingPublisher: EventPublisher {
    private let recorded = Mutex<[TeamEvent]>([])
    var events: [TeamEvent] { recorded.withLock { $0 } }
    func publish(_ events: [TeamEvent]) async { recorded.withLock { $0.append(contentsOf: events) } }
}

final class TeamInteractorTests: XCTestCase {
    var repository: InMemoryTeamRepository!
    var interactor: TeamInteractor!

    override func setUp() {
        repository = InMemoryTeamRepository()
        interactor = TeamInteractor(repository: repository)
    }

    /// The events the interactor stored in the outbox.
    func storedEvents() async throws -> [TeamEvent] {
        try await repository.events(after: 0, limit: 1000)
    }

    func testCreateTeamStartsAtVersionOneWithNoPlayers() async throws {
        let team = try await interactor.createTeam(name: "  Ajax ")
        XCTAssertEqual(team.name, "Ajax")
        XCTAssertEqual(team.version, 1)
        XCTAssertEqual(team.players, [])
        let fetched = try await interactor.team(id: team.id.description)
        XCTAssertEqual(fetched, team)
        let events = try await storedEvents()
        XCTAssertEqual(events.map(\.change), [.teamCreated(name: "Ajax")])
    }

    func testCreateRejectsInvalidNames() async {
        await assertThrows(.invalidArgument("team name must not be empty")) { try await self.interactor.createTeam(name: " ") }
        let events = try? await storedEvents()
        XCTAssertEqual(events, [])
    }

    func testGetUnknownAndMalformedIDs() async {
        await assertThrows(.notFound("no team with id 00000000000000000000")) { try await self.interactor.team(id: "00000000000000000000") }
        do {
            _ = try await interactor.team(id: "nope")
            XCTFail("expected an error")
        } catch {
            guard case .invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    func testAReadWithoutWaitingGivesWhatTheReadGivesWhenTheStoreCanAnswer() async throws {
        let team = try await interactor.createTeam(name: "Ajax")
        XCTAssertEqual(try interactor.teamWithoutWaiting(id: team.id.description), team)
        XCTAssertEqual(try interactor.teamWithoutWaiting(id: team.id), team, "a parsed id reads the same team")
        XCTAssertThrowsError(try interactor.teamWithoutWaiting(id: "00000000000000000000")) { error in
            XCTAssertEqual(error as? TeamError, .notFound("no team with id 00000000000000000000"))
        }
        XCTAssertThrowsError(try interactor.teamWithoutWaiting(id: TeamID("00000000000000000000")!)) { error in
            XCTAssertEqual(error as? TeamError, .notFound("no team with id 00000000000000000000"))
        }
        XCTAssertThrowsError(try interactor.teamWithoutWaiting(id: "nope")) { error in
            guard case .invalidArgument = error as? TeamError else { return XCTFail("\(error)") }
        }
    }

    func testAReadWithoutWaitingIsNilWhenTheStoreMustWait() async throws {
        let waiting = TeamInteractor(repository: RacingRepository(base: repository))
        let team = try await waiting.createTeam(name: "Ajax")
        XCTAssertNil(try waiting.teamWithoutWaiting(id: team.id.description))
        // A malformed id needs no store to be refused.
        XCTAssertThrowsError(try waiting.teamWithoutWaiting(id: "nope"))
    }

    func testEveryChangeBumpsTheVersionAndPublishesItsEvent() async throws {
        let team = try await interactor.createTeam(name: "Ajax")
        let id = team.id.description
        var changed = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        XCTAssertEqual(changed.version, 2)
        changed = try await interactor.renameTeam(id: id, to: "AFC Ajax")
        XCTAssertEqual(changed.version, 3)
        XCTAssertEqual(changed.name, "AFC Ajax")
        changed = try await interactor.removePlayer(teamID: id, name: "edwin", position: .goalkeeper)
        XCTAssertEqual(changed.version, 4)
        XCTAssertEqual(changed.players, [])
        try await interactor.deleteTeam(id: id)
        await assertThrows(.notFound("no team with id \(id)")) { try await self.interactor.team(id: id) }

        let events = try await storedEvents()
        XCTAssertEqual(events.map(\.name), ["TeamCreated", "PlayerAdded", "TeamRenamed", "PlayerRemoved", "TeamDeleted"])
        XCTAssertEqual(events.map(\.version), [1, 2, 3, 4, 5])
        XCTAssertEqual(events.map(\.sequence), [1, 2, 3, 4, 5])
        XCTAssertEqual(Set(events.map(\.teamID)), [team.id])
    }

    func testRemovePlayerMatchesNameAndPosition() async throws {
        let id = try await interactor.createTeam(name: "Ajax").id.description
        _ = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        await assertThrows(.notFound("team \(id) has no ST named \"Edwin\"")) {
            try await self.interactor.removePlayer(teamID: id, name: "Edwin", position: .striker)
        }
    }

    func testDuplicatePlayerNameIsRejectedIgnoringCase() async throws {
        let id = try await interactor.createTeam(name: "Ajax").id.description
        _ = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        await assertThrows(.alreadyExists("team \(id) already has a player named \"EDWIN\"")) {
            try await self.interactor.addPlayer(teamID: id, name: "EDWIN", position: .defender)
        }
    }

    func testStaleExpectedVersionIsAVersionMismatch() async throws {
        let id = try await interactor.createTeam(name: "Ajax").id.description
        _ = try await interactor.renameTeam(id: id, to: "B", expectedVersion: 1)
        await assertThrows(.versionMismatch(expected: 1, actual: 2)) { try await self.interactor.renameTeam(id: id, to: "C", expectedVersion: 1) }
        await assertThrows(.versionMismatch(expected: 5, actual: 2)) { try await self.interactor.deleteTeam(id: id, expectedVersion: 5) }
        let current = try await interactor.team(id: id)
        XCTAssertEqual(current.name, "B")
    }

    func testALostRaceIsRetriedOnTheFreshTeam() async throws {
        let racing = RacingRepository(base: repository)
        interactor = TeamInteractor(repository: racing)
        let id = try await interactor.createTeam(name: "Ajax").id.description
        racing.raceNextUpdate()
        let team = try await interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        // The racing writer renamed the team first; the retry kept its change and added ours.
        XCTAssertEqual(team.name, "Renamed by a racer")
        XCTAssertEqual(team.players.map(\.name), ["Edwin"])
        XCTAssertEqual(team.version, 3)
    }

    func testALostRaceWithAnExpectedVersionIsNotRetried() async throws {
        let racing = RacingRepository(base: repository)
        interactor = TeamInteractor(repository: racing)
        let id = try await interactor.createTeam(name: "Ajax").id.description
        racing.raceNextUpdate()
        await assertThrows(.versionMismatch(expected: 1, actual: 2)) {
            try await self.interactor.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper, expectedVersion: 1)
        }
    }

    func testSquadLimitIsEnforced() async throws {
        interactor = TeamInteractor(repository: repository, rules: TeamRules(squadLimit: 1))
        let id = try await interactor.createTeam(name: "Ajax").id.description
        _ = try await interactor.addPlayer(teamID: id, name: "A", position: .striker)
        do {
            _ = try await interactor.addPlayer(teamID: id, name: "B", position: .striker)
            XCTFail("expected the squad limit")
        } catch {
            guard case .failedPrecondition = error else { return XCTFail("\(error)") }
        }
    }

    func testSearchMatchesSubstringsIgnoringCaseSortedByNameThenID() async throws {
        for name in ["Real Madrid", "real sociedad", "Ajax", "Surreal FC", "REAL Madrid"] {
            _ = try await interactor.createTeam(name: name)
        }
        let page = try await interactor.searchTeams(term: "REAL")
        XCTAssertEqual(page.teams.map(\.name).map { $0.lowercased() }, ["real madrid", "real madrid", "real sociedad", "surreal fc"])
        let madrids = page.teams.prefix(2)
        XCTAssertLessThan(madrids.first!.id, madrids.last!.id)
        XCTAssertEqual(page.nextPageToken, "")
        let all = try await interactor.searchTeams(term: "")
        XCTAssertEqual(all.teams.count, 5)
    }

    func testSearchPagesAreStableWhileTeamsAreAdded() async throws {
        for index in 0..<7 { _ = try await interactor.createTeam(name: "Team \(index)") }
        var seen: [String] = []
        var token = ""
        repeat {
            let page = try await interactor.searchTeams(term: "team", pageSize: 3, pageToken: token)
            XCTAssertLessThanOrEqual(page.teams.count, 3)
            seen += page.teams.map(\.name)
            token = page.nextPageToken
            // A team sorting before the cursor must not shift later pages.
            _ = try await interactor.createTeam(name: "Team 0\(seen.count)")
        } while !token.isEmpty
        XCTAssertEqual(Array(seen.prefix(7)).count, 7)
        XCTAssertEqual(Set(seen).count, seen.count, "no team appears twice")
        XCTAssertEqual(seen, seen.sorted { $0.lowercased() < $1.lowercased() })
    }

    func testSearchRejectsBadPageSizeAndToken() async {
        do {
            _ = try await interactor.searchTeams(term: "", pageSize: 501)
            XCTFail("expected an error")
        } catch {
            guard case .invalidArgument = error else { return XCTFail("\(error)") }
        }
        do {
            _ = try await interactor.searchTeams(term: "", pageToken: "not-a-token")
            XCTFail("expected an error")
        } catch {
            guard case .invalidArgument = error else { return XCTFail("\(error)") }
        }
    }

    /// What PROTOCOL.md promises of a page token: it is a position, not a credential.
    /// One that parses, edited or made up, starts the page after the position it names;
    /// one that does not parse is INVALID_ARGUMENT.
    func testAnEditedPageTokenIsAPositionAndAMalformedOneIsRefused() async throws {
        for name in ["Alpha", "Bravo", "Charlie", "Delta"] { _ = try await interactor.createTeam(name: name) }
        let first = try await interactor.searchTeams(term: "", pageSize: 2)
        XCTAssertEqual(first.teams.map(\.name), ["Alpha", "Bravo"])
        let madeUp = SearchCursor(nameKey: "c", id: TeamID("00000000000000000000")!).token
        let fromC = try await interactor.searchTeams(term: "", pageSize: 10, pageToken: madeUp)
        XCTAssertEqual(fromC.teams.map(\.name), ["Charlie", "Delta"], "the page starts after the position named")
        var flipped = Array(first.nextPageToken.utf8)
        flipped[flipped.count - 1] = flipped[flipped.count - 1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let edited = try await interactor.searchTeams(term: "", pageSize: 10, pageToken: String(decoding: flipped, as: UTF8.self))
        XCTAssertTrue(edited.teams.allSatisfy { $0.nameKey >= "bravo" }, "still a position in the order: \(edited.teams.map(\.name))")
        for malformed in ["zz", "abc", String(first.nextPageToken.dropLast()), "00" + String(repeating: "ff", count: 30)] {
            do {
                _ = try await interactor.searchTeams(term: "", pageToken: malformed)
                XCTFail("\(malformed) was accepted")
            } catch {
                guard case .invalidArgument = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testIdempotencyKeyReturnsTheFirstTeam() async throws {
        let first = try await interactor.createTeam(name: "Ajax", idempotencyKey: "key-1")
        let retry = try await interactor.createTeam(name: "Ajax", idempotencyKey: "key-1")
        let other = try await interactor.createTeam(name: "Ajax", idempotencyKey: "key-2")
        XCTAssertEqual(first, retry)
        XCTAssertNotEqual(first.id, other.id)
        let found = try await interactor.searchTeams(term: "ajax")
        XCTAssertEqual(found.teams.count, 2)
        let events = try await storedEvents()
        XCTAssertEqual(events.count, 2, "a replayed create stores no event")
    }

    private func assertThrows<T>(_ expected: TeamError, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T) async {
        do {
            _ = try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? TeamError, expected, file: file, line: line)
        }
    }
}

/// A repository in which another writer renames the team just before the next update lands.
final class RacingRepository: TeamRepository {
    let base: InMemoryTeamRepository
    private let armed = Mutex(false)

    init(base: InMemoryTeamRepository) { self.base = base }

    func raceNextUpdate() { armed.withLock { $0 = true } }

    func team(withID id: TeamID) async throws(RepositoryError) -> Team? { try await base.team(withID: id) }
    func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        try await base.create(team, event: event, idempotencyKey: idempotencyKey)
    }
    func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        if armed.withLock({ armed in defer { armed = false }; return armed }) {
            var racer = try await base.team(withID: team.id)!
            racer.name = "Renamed by a racer"
            racer.version += 1
            try await base.update(racer, expectedVersion: racer.version - 1, event: TeamEvent(teamID: team.id, version: racer.version, change: .teamRenamed(name: racer.name), occurredAt: 0))
        }
        try await base.update(team, expectedVersion: expectedVersion, event: event)
    }
    func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await base.delete(id, expectedVersion: expectedVersion, event: event)
    }
    func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage { try await base.search(query) }
}
