import Foundation
import TeamsClient
import TeamsDomain
import RPCCore
import RPCTransportNIO
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// The server on its durable store.
final class SQLiteServerTests: XCTestCase {
    func testTwoHundredConcurrentAddPlayersThroughTheServerAllLand() async throws {
        let folder = try TemporaryFolder()
        let server = try await TestServer.start(store: try SQLiteTeamStore(path: folder.path("teams.sqlite")), rules: TeamRules(squadLimit: 500))
        let client = try await server.client()
        let id = try await client.createTeam(name: "Big squad").id.description
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = try await client.addPlayer(teamID: id, name: "Player \(index)", position: .defender) }
            }
            try await group.waitForAll()
        }
        let team = try await client.getTeam(id: id)
        XCTAssertEqual(team.players.count, 200)
        XCTAssertEqual(team.version, 201)
        await client.close()
        await server.stop()
    }

    func testIdempotentCreateThroughTheServer() async throws {
        let folder = try TemporaryFolder()
        let server = try await TestServer.start(store: try SQLiteTeamStore(path: folder.path("teams.sqlite")))
        let client = try await server.client()
        let first = try await client.createTeam(name: "Ajax", idempotencyKey: "retry-me")
        let retry = try await client.createTeam(name: "Ajax", idempotencyKey: "retry-me")
        XCTAssertEqual(first, retry)
        let found = try await client.searchTeams(term: "ajax")
        XCTAssertEqual(found.teams.count, 1)
        await client.close()
        await server.stop()
    }
}
