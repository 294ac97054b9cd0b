import TeamsSupport
import XCTest

@testable import TeamsCLI

final class SquadModelTests: XCTestCase {
    func testATeamIsDeletableOnlyWithNothingInFlightOnIt() {
        var random = SplitMix64(seed: 1)
        var squads = SquadModel(teams: ["a"], seededPlayers: 1, limit: 3)
        XCTAssertEqual(squads.reserveRoom(&random), "a")
        XCTAssertFalse(squads.remove(team: "a"), "an add is in flight")
        squads.finishAdd(team: "a", name: "x", succeeded: true)
        let taken = squads.takePlayer(&random)
        XCTAssertEqual(taken?.team, "a")
        XCTAssertFalse(squads.remove(team: "a"), "a removal is in flight")
        squads.finishRemove(team: "a", name: taken!.name, succeeded: true)
        XCTAssertTrue(squads.remove(team: "a"))
        XCTAssertFalse(squads.remove(team: "a"), "already gone")
        XCTAssertNil(squads.reserveRoom(&random), "a deleted team gets no players")
        XCTAssertNil(squads.takePlayer(&random))
    }

    func testTwoRemovalsInFlightBothHoldTheTeam() {
        var random = SplitMix64(seed: 2)
        var squads = SquadModel(teams: ["a"], seededPlayers: 2, limit: 5)
        let first = squads.takePlayer(&random)!, second = squads.takePlayer(&random)!
        squads.finishRemove(team: "a", name: first.name, succeeded: true)
        XCTAssertFalse(squads.remove(team: "a"))
        squads.finishRemove(team: "a", name: second.name, succeeded: true)
        XCTAssertTrue(squads.remove(team: "a"))
    }

    func testDeleteIsAnOperationThatNeedsNoSeededIDs() throws {
        XCTAssertFalse(try Workload(mix: "create=50,delete=50").needsTeamIDs)
        XCTAssertTrue(try Workload(mix: "delete=1,rename=1").needsTeamIDs)
    }

    func testAddsSpreadOverTheTeamsWithRoomAndStopWhenAllAreFull() {
        var random = SplitMix64(seed: 3)
        var squads = SquadModel(teams: ["a", "b", "c", "d"], seededPlayers: 0, limit: 10)
        var chosen: [String: Int] = [:]
        for _ in 0..<20 { chosen[squads.reserveRoom(&random)!, default: 0] += 1 }
        XCTAssertEqual(chosen.count, 4, "\(chosen)")
        for _ in 0..<20 { XCTAssertNotNil(squads.reserveRoom(&random)) }
        XCTAssertNil(squads.reserveRoom(&random), "40 places, all reserved")
    }
}
