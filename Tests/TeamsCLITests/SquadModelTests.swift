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

extension SquadModelTests {
    /// The teams drawn from follow every change: a full squad gets no add and an empty
    /// one no removal, and a squad that changes back is drawn again.
    func testAddsAndRemovalsFollowTheSquadsAsTheyFillAndEmpty() {
        var random = SplitMix64(seed: 4)
        var squads = SquadModel(teams: ["full"], seededPlayers: 2, limit: 2)
        squads.add(team: "empty")
        for _ in 0..<50 {
            XCTAssertEqual(squads.reserveRoom(&random), "empty")
            squads.finishAdd(team: "empty", name: "n", succeeded: false)
            let taken = squads.takePlayer(&random)
            XCTAssertEqual(taken?.team, "full")
            squads.finishRemove(team: "full", name: taken!.name, succeeded: false)
        }
        let removed = squads.takePlayer(&random)!
        squads.finishRemove(team: removed.team, name: removed.name, succeeded: true)
        var added = false
        while !added {
            let team = squads.reserveRoom(&random)!
            added = team == "empty"
            squads.finishAdd(team: team, name: "m", succeeded: added)
        }
        // Each now has a player and room for one more.
        var reserved: Set<String> = [], taken: Set<String> = []
        for _ in 0..<50 {
            let team = squads.reserveRoom(&random)!
            reserved.insert(team)
            squads.finishAdd(team: team, name: "o", succeeded: false)
            let player = squads.takePlayer(&random)!
            taken.insert(player.team)
            squads.finishRemove(team: player.team, name: player.name, succeeded: false)
        }
        XCTAssertEqual(reserved, ["full", "empty"])
        XCTAssertEqual(taken, ["full", "empty"])

        var full = SquadModel(teams: ["a", "b"], seededPlayers: 3, limit: 3)
        XCTAssertNil(full.reserveRoom(&random), "every squad is full")
        var empty = SquadModel(teams: ["a", "b"], seededPlayers: 0, limit: 3)
        XCTAssertNil(empty.takePlayer(&random), "no squad has a player")
    }
}
