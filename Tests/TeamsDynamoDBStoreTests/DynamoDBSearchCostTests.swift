import AWSDynamoDB
import Foundation
import TeamsDomain
@testable import TeamsDynamoDBStore
import TeamsTestSupport
import XCTest

/// A search page reads about a page from the names index, not the table.
final class DynamoDBSearchCostTests: XCTestCase {
    static let moto = SharedMoto()

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    func testAPageOfFifteenHundredTeamsReadsAboutAPage() async throws {
        let client = MotoFixture.client(try Self.moto.server().endpoint)
        defer { Task { try? await client.shutdown() } }
        let store = DynamoDBTeamStore(client: client, tableName: MotoFixture.freshTableName())
        try await store.prepareTable(create: true)
        let ids = TeamIDGenerator(machineID: (3, 3, 3), processID: 3, now: { 1_700_000_000 })
        let count = 1500

        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 4) {
                        let name = "FC \(String(format: "%04d", index))"
                        let team = Team(id: ids.next(), name: name)
                        _ = try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: name), occurredAt: 1), idempotencyKey: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.sequencer(owner: "tests").catchUp()

        var cursor: SearchCursor?
        var listed: [String] = []
        for page in 0..<3 {
            let (result, read) = try await store.searchPage(TeamQuery(term: "", limit: 50, after: cursor))
            XCTAssertEqual(result.teams.count, 50)
            XCTAssertLessThanOrEqual(read, 200, "page \(page) of every team read \(read) items")
            listed += result.teams.map(\.name)
            cursor = result.next
        }
        XCTAssertEqual(listed, (0..<150).map { "FC \(String(format: "%04d", $0))" }, "in name order across pages")

        let (dense, denseRead) = try await store.searchPage(TeamQuery(term: "fc 1", limit: 50))
        XCTAssertEqual(dense.teams.first?.name, "FC 1000")
        XCTAssertLessThanOrEqual(denseRead, 300, "a term most teams match: \(denseRead) items")

        let (rare, rareRead) = try await store.searchPage(TeamQuery(term: "1234", limit: 50))
        XCTAssertEqual(rare.teams.map(\.name), ["FC 1234"])
        XCTAssertLessThanOrEqual(rareRead, 50, "a term one team matches reads its gram's short list: \(rareRead) items")

        let (none, noneRead) = try await store.searchPage(TeamQuery(term: "zz", limit: 50))
        XCTAssertEqual(none.teams, [])
        XCTAssertLessThanOrEqual(noneRead, 2, "an empty list costs nothing: \(noneRead)")
    }
}
