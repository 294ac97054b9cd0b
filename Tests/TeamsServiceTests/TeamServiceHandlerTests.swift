import RPCCore
import TeamsDomain
import TeamsProto
import XCTest

/// Each TeamService method through the in-process transport: the use case it
/// reaches and the status each failure becomes.
final class TeamServiceHandlerTests: XCTestCase {
    func testTheLifeOfATeam() async throws {
        let client = try await InProcessService().client()
        let created = try await client.createTeam(name: "Ajax")
        XCTAssertEqual(created.version, 1)
        let fetched = try await client.getTeam(id: created.id.description)
        XCTAssertEqual(fetched, created)
        let renamed = try await client.renameTeam(id: created.id.description, to: "AFC Ajax", expectedVersion: 1)
        XCTAssertEqual(renamed.name, "AFC Ajax")
        let withPlayer = try await client.addPlayer(teamID: created.id.description, name: "Cruijff", position: .striker)
        XCTAssertEqual(withPlayer.players, [Player(name: "Cruijff", position: .striker)])
        let without = try await client.removePlayer(teamID: created.id.description, name: "Cruijff", position: .striker)
        XCTAssertEqual(without.players, [])
        try await client.deleteTeam(id: created.id.description)
        await assertStatus(.notFound) { try await client.getTeam(id: created.id.description) }
    }

    func testFailuresBecomeTheirStatusCodes() async throws {
        let client = try await InProcessService().client()
        let team = try await client.createTeam(name: "PSV")
        await assertStatus(.invalidArgument) { try await client.createTeam(name: "") }
        await assertStatus(.invalidArgument) { try await client.getTeam(id: "not-an-id") }
        await assertStatus(.notFound) { try await client.getTeam(id: "00000000000000000000") }
        await assertStatus(.aborted) { try await client.renameTeam(id: team.id.description, to: "X", expectedVersion: 9) }
        await assertStatus(.invalidArgument) { try await client.addPlayer(teamID: team.id.description, name: "P", position: nil) }
        await assertStatus(.notFound) { try await client.removePlayer(teamID: team.id.description, name: "Nobody", position: .defender) }
    }

    func testSearchPagesThroughMatches() async throws {
        let client = try await InProcessService().client()
        for name in ["Real Madrid", "Real Betis", "Barcelona"] { _ = try await client.createTeam(name: name) }
        let first = try await client.searchTeams(term: "real", pageSize: 1)
        XCTAssertEqual(first.teams.count, 1)
        XCTAssertFalse(first.nextPageToken.isEmpty)
        let second = try await client.searchTeams(term: "real", pageSize: 1, pageToken: first.nextPageToken)
        XCTAssertEqual(Set((first.teams + second.teams).map(\.name)), ["Real Madrid", "Real Betis"])
        XCTAssertTrue(second.nextPageToken.isEmpty)
    }

    func testWatchEventsStreamsStoredThenLiveEvents() async throws {
        let service = InProcessService()
        let client = try await service.client()
        let team = try await client.createTeam(name: "Feyenoord")
        let watch = Task {
            var names: [String] = []
            for try await event in client.watchEvents(from: 1) {
                names.append(event.name)
                if names.count == 2 { break }
            }
            return names
        }
        _ = try await client.renameTeam(id: team.id.description, to: "Feyenoord Rotterdam")
        let names = try await watch.value
        XCTAssertEqual(names, ["TeamCreated", "TeamRenamed"])
    }
}
