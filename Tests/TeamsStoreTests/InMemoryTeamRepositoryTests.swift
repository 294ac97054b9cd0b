import TeamsDomain
import TeamsMemoryStore
import XCTest

final class InMemoryTeamRepositoryTests: XCTestCase {
    /// Every team is in memory, so every read, of a missing id too, is answered at once.
    func testEveryReadIsAnsweredWithoutWaiting() async throws {
        let store = InMemoryTeamRepository()
        let team = Team(id: TeamIDGenerator.forThisProcess().next(), name: "Ajax")
        _ = try await store.create(team, event: TeamEvent(teamID: team.id, version: 1, change: .teamCreated(name: "Ajax"), occurredAt: 0), idempotencyKey: nil)
        guard case .answered(let found) = store.teamWithoutWaiting(withID: team.id) else { return XCTFail("must not wait") }
        XCTAssertEqual(found, team)
        guard case .answered(let missing) = store.teamWithoutWaiting(withID: TeamIDGenerator.forThisProcess().next()) else { return XCTFail("must not wait") }
        XCTAssertNil(missing)
    }
}
