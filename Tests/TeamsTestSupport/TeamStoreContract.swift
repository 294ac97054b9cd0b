import TeamsDomain
import XCTest

/// The behaviour every `TeamStore` shares, written once and run against each
/// implementation (memory, SQLite; DynamoDB later). Each check gets a fresh store.
public struct TeamStoreContract {
    let makeStore: () async throws -> any TeamStore

    static var checks: [(String, (TeamStoreContract) -> () async throws -> Void)] { [
        ("createAndGet", { $0.createAndGet }),
        ("createWithATakenID", { $0.createWithATakenID }),
        ("updateWithExpectedVersion", { $0.updateWithExpectedVersion }),
        ("deleteWithExpectedVersion", { $0.deleteWithExpectedVersion }),
        ("missingID", { $0.missingID }),
        ("readsWithoutWaitingAnswerOnlyWhatAReadWould", { $0.readsWithoutWaitingAnswerOnlyWhatAReadWould }),
        ("searchPagesInNameThenIDOrder", { $0.searchPagesInNameThenIDOrder }),
        ("searchTreatsWildcardsAndNonASCIILiterally", { $0.searchTreatsWildcardsAndNonASCIILiterally }),
        ("searchTreatsQuerySyntaxLiterally", { $0.searchTreatsQuerySyntaxLiterally }),
        ("searchFollowsRenamesAndDeletes", { $0.searchFollowsRenamesAndDeletes }),
        ("eventsGetSequencesWithTheirChanges", { $0.eventsGetSequencesWithTheirChanges }),
        ("deliveredSequenceOnlyMovesForward", { $0.deliveredSequenceOnlyMovesForward }),
        ("idempotencyKeyReturnsTheFirstTeam", { $0.idempotencyKeyReturnsTheFirstTeam }),
        ("rejectedCreateLeavesItsIdempotencyKeyFree", { $0.rejectedCreateLeavesItsIdempotencyKeyFree }),
        ("pruneKeepsTheSequenceCounter", { $0.pruneKeepsTheSequenceCounter }),
        ("pruneStopsAtTheFirstEventThatIsNotOld", { $0.pruneStopsAtTheFirstEventThatIsNotOld }),
        ("concurrentWritesAllLandWithGaplessSequences", { $0.concurrentWritesAllLandWithGaplessSequences }),
    ] }

    /// Runs every check; a failure names the check.
    public static func run(_ makeStore: @escaping () async throws -> any TeamStore, file: StaticString = #filePath, line: UInt = #line) async {
        let contract = TeamStoreContract(makeStore: makeStore)
        for (name, check) in checks {
            do {
                try await check(contract)()
            } catch {
                XCTFail("contract check \(name) failed: \(error)", file: file, line: line)
            }
        }
    }

    // MARK: Fixtures

    static let ids = TeamIDGenerator(machineID: (1, 2, 3), processID: 4, counterStart: 0, now: { 1_700_000_000 })

    func newTeam(_ name: String, players: [Player] = []) -> Team {
        Team(id: Self.ids.next(), name: name, players: players, version: 1)
    }

    func event(_ team: Team, _ change: TeamEvent.Change, at time: Int64 = 1_700_000_000_000) -> TeamEvent {
        TeamEvent(teamID: team.id, version: team.version, change: change, occurredAt: time)
    }

    @discardableResult
    func create(_ store: any TeamStore, _ team: Team) async throws -> Team {
        try await store.create(team, event: event(team, .teamCreated(name: team.name)), idempotencyKey: nil)
    }

    func expect(_ expected: RepositoryError, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as RepositoryError {
            guard error == expected else { throw Failure("expected \(expected), got \(error)") }
            return
        }
        throw Failure("expected \(expected), got success")
    }

    func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(message()) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Checks

    func createAndGet() async throws {
        let store = try await makeStore()
        let team = newTeam("Ajax", players: [Player(name: "Edwin", position: .goalkeeper), Player(name: "Zoë", position: .striker)])
        let created = try await create(store, team)
        try check(created == team, "create returns the team")
        let fetched = try await store.team(withID: team.id)
        try check(fetched == team, "get returns what was created, players in order: \(String(describing: fetched))")
    }

    func createWithATakenID() async throws {
        let store = try await makeStore()
        let team = try await create(store, newTeam("Ajax"))
        try await expect(.alreadyExists) { try await create(store, Team(id: team.id, name: "Other")) }
        let fetched = try await store.team(withID: team.id)
        try check(fetched?.name == "Ajax", "the first team is untouched")
    }

    func updateWithExpectedVersion() async throws {
        let store = try await makeStore()
        var team = try await create(store, newTeam("Ajax"))
        team.name = "AFC Ajax"
        team.players = [Player(name: "Edwin", position: .goalkeeper)]
        team.version = 2
        try await store.update(team, expectedVersion: 1, event: event(team, .teamRenamed(name: team.name)))
        let fetched = try await store.team(withID: team.id)
        try check(fetched == team, "update replaced the team: \(String(describing: fetched))")

        var stale = team
        stale.name = "Stale"
        stale.version = 2
        try await expect(.versionConflict(actual: 2)) { try await store.update(stale, expectedVersion: 1, event: event(stale, .teamRenamed(name: "Stale"))) }
        let after = try await store.team(withID: team.id)
        try check(after?.name == "AFC Ajax", "a conflicting update writes nothing")
    }

    func deleteWithExpectedVersion() async throws {
        let store = try await makeStore()
        let team = try await create(store, newTeam("Ajax"))
        try await expect(.versionConflict(actual: 1)) { try await store.delete(team.id, expectedVersion: 7, event: event(team, .teamDeleted)) }
        try await store.delete(team.id, expectedVersion: 1, event: event(team, .teamDeleted))
        let fetched = try await store.team(withID: team.id)
        try check(fetched == nil, "a deleted team is gone")
    }

    func missingID() async throws {
        let store = try await makeStore()
        let ghost = newTeam("Ghost")
        let fetched = try await store.team(withID: ghost.id)
        try check(fetched == nil, "get of a missing id is nil")
        try await expect(.notFound) { try await store.update(ghost, expectedVersion: 1, event: event(ghost, .teamDeleted)) }
        try await expect(.notFound) { try await store.delete(ghost.id, expectedVersion: 1, event: event(ghost, .teamDeleted)) }
        let events = try await store.events(after: 0, limit: 10)
        try check(events.isEmpty, "failed writes store no events")
    }

    /// `teamWithoutWaiting` may always say `.mustWait`; when it answers, it answers
    /// what `team(withID:)` must, through a create, an update, a delete and a missing id.
    func readsWithoutWaitingAnswerOnlyWhatAReadWould() async throws {
        let store = try await makeStore()
        func expectRead(_ id: TeamID, _ expected: Team?, _ step: String) async throws {
            if case .answered(let immediate) = store.teamWithoutWaiting(withID: id) {
                try check(immediate == expected, "\(step): answered without waiting \(String(describing: immediate)), expected \(String(describing: expected))")
            }
            let read = try await store.team(withID: id)
            try check(read == expected, "\(step): read \(String(describing: read)), expected \(String(describing: expected))")
            if case .answered(let immediate) = store.teamWithoutWaiting(withID: id) {
                try check(immediate == expected, "\(step), after a read: answered without waiting \(String(describing: immediate))")
            }
        }
        var team = try await create(store, newTeam("Ajax"))
        try await expectRead(team.id, team, "after create")
        try await expectRead(newTeam("Ghost").id, nil, "a missing id")
        team.name = "AFC Ajax"
        team.players = [Player(name: "Edwin", position: .goalkeeper)]
        team.version = 2
        try await store.update(team, expectedVersion: 1, event: event(team, .teamRenamed(name: team.name)))
        try await expectRead(team.id, team, "after update")
        try await store.delete(team.id, expectedVersion: 2, event: event(team, .teamDeleted))
        try await expectRead(team.id, nil, "after delete")
    }

    func searchPagesInNameThenIDOrder() async throws {
        let store = try await makeStore()
        for name in ["Real Madrid", "real sociedad", "Ajax", "Surreal", "REAL Madrid", "Realm", "Arsenal"] {
            try await create(store, newTeam(name))
        }
        var found: [Team] = []
        var after: SearchCursor?
        repeat {
            let page = try await store.search(TeamQuery(term: "real", limit: 2, after: after))
            try check(page.teams.count <= 2, "a page holds at most the limit")
            found += page.teams
            after = page.next
            // A team added before the cursor must not shift the pages.
            try await create(store, newTeam("Aaa real"))
        } while after != nil
        let keys = found.map { "\($0.nameKey) \($0.id)" }
        try check(keys == keys.sorted(), "ordered by name key, then id: \(keys)")
        let names = Set(found.map(\.name))
        try check(names.isSuperset(of: ["Real Madrid", "real sociedad", "Surreal", "REAL Madrid", "Realm"]), "every match is found: \(names)")
        try check(!names.contains("Ajax") && !names.contains("Arsenal"), "non-matches are not")
        try check(Set(found.map(\.id)).count == found.count, "no team appears twice")

        let all = try await store.search(TeamQuery(term: "", limit: 100))
        try check(all.teams.count >= 7 && all.next == nil, "an empty term lists every team on one page")
    }

    func searchTreatsWildcardsAndNonASCIILiterally() async throws {
        let store = try await makeStore()
        for name in ["100% Club", "1000 Club", "Under_Score", "UnderXScore", "Düsseldorf", "DUSSELDORF", "Ölfus", "Back\\slash"] {
            try await create(store, newTeam(name))
        }
        func names(_ term: String) async throws -> Set<String> {
            Set(try await store.search(TeamQuery(term: term, limit: 50)).teams.map(\.name))
        }
        try check(try await names("100%") == ["100% Club"], "% is a plain character")
        try check(try await names("r_s") == ["Under_Score"], "_ is a plain character")
        try check(try await names("ü") == ["Düsseldorf"], "non-ASCII matches itself")
        try check(try await names("öl") == ["Ölfus"], "non-ASCII is matched on its lower-cased form")
        try check(try await names("\\") == ["Back\\slash"], "a backslash is a plain character")
        // Three characters and more can be answered from an index (SQLite's trigrams): the same answers.
        try check(try await names("0% c") == ["100% Club"], "% is a plain character in a longer term")
        try check(try await names("r_sc") == ["Under_Score"], "_ is a plain character in a longer term")
        try check(try await names("düs") == ["Düsseldorf"], "non-ASCII matches itself in a longer term")
        try check(try await names("ölf") == ["Ölfus"], "a longer non-ASCII term is matched on its lower-cased form")
        try check(try await names("k\\sl") == ["Back\\slash"], "a backslash is a plain character in a longer term")
        try check(try await names("club") == ["100% Club", "1000 Club"], "every match of a longer term")
    }

    func searchTreatsQuerySyntaxLiterally() async throws {
        let store = try await makeStore()
        for name in ["Say \"Hi\" FC", "Rock AND Roll", "Star* United", "NEAR(by) City", "Minus-One", "Col:on", "Hi FC"] {
            try await create(store, newTeam(name))
        }
        func names(_ term: String) async throws -> Set<String> {
            Set(try await store.search(TeamQuery(term: term, limit: 50)).teams.map(\.name))
        }
        try check(try await names("\"hi\"") == ["Say \"Hi\" FC"], "quotes are plain characters")
        try check(try await names("\"") == ["Say \"Hi\" FC"], "a lone quote is a plain character")
        try check(try await names("k and r") == ["Rock AND Roll"], "AND is plain text")
        try check(try await names("r* u") == ["Star* United"], "* is a plain character")
        try check(try await names("near(") == ["NEAR(by) City"], "NEAR( is plain text")
        try check(try await names("s-o") == ["Minus-One"], "- is a plain character")
        try check(try await names("l:o") == ["Col:on"], ": is a plain character")
        try check(try await names("hi fc") == ["Hi FC"], "a term matches as one substring, not as words")
    }

    func searchFollowsRenamesAndDeletes() async throws {
        let store = try await makeStore()
        var golden = try await create(store, newTeam("Golden Eagles"))
        let silver = try await create(store, newTeam("Silver Eagles"))
        func names(_ term: String) async throws -> [String] {
            try await store.search(TeamQuery(term: term, limit: 50)).teams.map(\.name)
        }
        try check(try await names("eagle") == ["Golden Eagles", "Silver Eagles"], "both match before the changes")

        golden.name = "Golden Hawks"
        golden.version = 2
        try await store.update(golden, expectedVersion: 1, event: event(golden, .teamRenamed(name: golden.name)))
        try check(try await names("eagle") == ["Silver Eagles"], "a renamed team stops matching its old name")
        try check(try await names("hawk") == ["Golden Hawks"], "a renamed team matches its new name")
        try check(try await names("lden") == ["Golden Hawks"], "and what the names share")

        var keptName = golden
        keptName.players = [Player(name: "Edwin", position: .goalkeeper)]
        keptName.version = 3
        try await store.update(keptName, expectedVersion: 2, event: event(keptName, .playerAdded(keptName.players[0])))
        try check(try await names("hawk") == ["Golden Hawks"], "a change that keeps the name keeps the match")

        try await store.delete(silver.id, expectedVersion: 1, event: event(silver, .teamDeleted))
        try check(try await names("eagle").isEmpty, "a deleted team matches nothing")
        try check(try await names("").count == 1, "an empty term lists the teams left")
    }

    func eventsGetSequencesWithTheirChanges() async throws {
        let store = try await makeStore()
        var team = try await create(store, newTeam("Ajax"))
        team.players = [Player(name: "Edwin", position: .goalkeeper)]
        team.version = 2
        try await store.update(team, expectedVersion: 1, event: event(team, .playerAdded(Player(name: "Edwin", position: .goalkeeper))))
        try? await store.update(team, expectedVersion: 1, event: event(team, .teamRenamed(name: "lost")))  // conflicts: no event
        team.version = 3
        try await store.delete(team.id, expectedVersion: 2, event: event(team, .teamDeleted))

        let events = try await store.events(after: 0, limit: 10)
        try check(events.map(\.sequence) == [1, 2, 3], "sequences 1, 2, 3: \(events.map(\.sequence))")
        try check(events.map(\.change) == [.teamCreated(name: "Ajax"), .playerAdded(Player(name: "Edwin", position: .goalkeeper)), .teamDeleted], "changes in order")
        try check(events.map(\.version) == [1, 2, 3], "versions")
        try check(events.allSatisfy { $0.teamID == team.id && $0.occurredAt == 1_700_000_000_000 }, "team id and time kept")
        let tail = try await store.events(after: 1, limit: 1)
        try check(tail.map(\.sequence) == [2], "after and limit")
        let latest = try await store.latestSequence()
        try check(latest == 3, "latest sequence")
        // A sequence from the wire may be anything: far beyond the last one is simply nothing yet.
        let farAway: [UInt64] = [4, 1 << 63, (1 << 63) + 1, UInt64.max - 1, UInt64.max]
        for after in farAway {
            let beyond = try await store.events(after: after, limit: 10)
            try check(beyond.isEmpty, "nothing after \(after): \(beyond.map(\.sequence))")
        }
    }

    func deliveredSequenceOnlyMovesForward() async throws {
        let store = try await makeStore()
        let initial = try await store.deliveredSequence()
        try check(initial == 0, "starts at 0")
        try await store.markDelivered(through: 5)
        try await store.markDelivered(through: 3)
        let delivered = try await store.deliveredSequence()
        try check(delivered == 5, "never moves back: \(delivered)")
    }

    /// A create that fails records nothing under its key: a retry with the same key creates.
    func rejectedCreateLeavesItsIdempotencyKeyFree() async throws {
        let store = try await makeStore()
        let existing = try await create(store, newTeam("Ajax"))
        let clash = Team(id: existing.id, name: "Feyenoord")
        try await expect(.alreadyExists) {
            _ = try await store.create(clash, event: event(clash, .teamCreated(name: "Feyenoord")), idempotencyKey: "clash")
        }
        let retry = newTeam("Feyenoord")
        let answered = try await store.create(retry, event: event(retry, .teamCreated(name: "Feyenoord")), idempotencyKey: "clash")
        try check(answered == retry, "the key was free, so the retry created its own team")
        let stored = try await store.team(withID: retry.id)
        try check(stored == retry, "and stored it")
    }

    func idempotencyKeyReturnsTheFirstTeam() async throws {
        let store = try await makeStore()
        let first = newTeam("Ajax")
        _ = try await store.create(first, event: event(first, .teamCreated(name: "Ajax")), idempotencyKey: "key")
        let retry = newTeam("Ajax")
        let answered = try await store.create(retry, event: event(retry, .teamCreated(name: "Ajax")), idempotencyKey: "key")
        try check(answered == first, "the retry gets the first team")
        let missing = try await store.team(withID: retry.id)
        try check(missing == nil, "the retry created nothing")
        let events = try await store.events(after: 0, limit: 10)
        try check(events.count == 1, "and stored no event")
    }

    func pruneKeepsTheSequenceCounter() async throws {
        let store = try await makeStore()
        let old = newTeam("Old")
        _ = try await store.create(old, event: event(old, .teamCreated(name: "Old"), at: 1_000), idempotencyKey: nil)
        let new = newTeam("New")
        _ = try await store.create(new, event: event(new, .teamCreated(name: "New"), at: 5_000), idempotencyKey: nil)
        let pruned = try await store.prune(before: 2_000)
        try check(pruned == 1, "one event pruned, got \(pruned)")
        let events = try await store.events(after: 0, limit: 10)
        try check(events.map(\.sequence) == [2], "the newer event stays: \(events.map(\.sequence))")
        _ = try await create(store, newTeam("Newest"))
        let latest = try await store.latestSequence()
        try check(latest == 3, "sequences are never reused: \(latest)")
    }

    func pruneStopsAtTheFirstEventThatIsNotOld() async throws {
        let store = try await makeStore()
        for (name, time) in [("Old", 1_000), ("Older", 500), ("New", 5_000), ("Old again", 1_500)] {
            let team = newTeam(name)
            _ = try await store.create(team, event: event(team, .teamCreated(name: name), at: Int64(time)), idempotencyKey: nil)
        }
        let pruned = try await store.prune(before: 2_000)
        try check(pruned == 2, "the two oldest events pruned, got \(pruned)")
        let events = try await store.events(after: 0, limit: 10)
        try check(events.map(\.sequence) == [3, 4], "the new event stays, and the old one after it: \(events.map(\.sequence))")
        let all = try await store.prune(before: 6_000)
        try check(all == 2, "then the rest, got \(all)")
    }

    func concurrentWritesAllLandWithGaplessSequences() async throws {
        let store = try await makeStore()
        let teams = (0..<100).map { newTeam("Concurrent \($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for team in teams {
                group.addTask { _ = try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: team.name), occurredAt: 1), idempotencyKey: nil) }
            }
            try await group.waitForAll()
        }
        for team in teams {
            let fetched = try await store.team(withID: team.id)
            try check(fetched == team, "team \(team.name) landed")
        }
        let events = try await store.events(after: 0, limit: 1000)
        try check(events.map(\.sequence) == Array(1...100), "sequences 1...100 without gaps")
    }
}
