import TeamsSupport
import XCTest

@testable import TeamsCLI

final class SquadModelTests: XCTestCase {
    func testATeamIsDeletableOnlyWithNothingInFlightOnIt() {
        var random = SplitMix64(seed: 1)
        var squads = SquadModel(teams: ["a"], seededPlayers: 1, limit: 3)
        let a = squads.reserveRoom(&random)
        XCTAssertEqual(a.map(squads.team), "a")
        XCTAssertFalse(squads.remove(0), "an add is in flight")
        squads.finishAdd(0, name: "x", succeeded: true)
        let taken = squads.takePlayer(&random)
        XCTAssertEqual(taken?.slot, 0)
        XCTAssertFalse(squads.remove(0), "a removal is in flight")
        squads.finishRemove(0, name: taken!.name, succeeded: true)
        XCTAssertTrue(squads.remove(0))
        XCTAssertFalse(squads.remove(0), "already gone")
        XCTAssertNil(squads.reserveRoom(&random), "a deleted team gets no players")
        XCTAssertNil(squads.takePlayer(&random))
        XCTAssertEqual(squads.players { _ in true }, [:], "a deleted team's players are not expected")
    }

    func testTwoRemovalsInFlightBothHoldTheTeam() {
        var random = SplitMix64(seed: 2)
        var squads = SquadModel(teams: ["a"], seededPlayers: 2, limit: 5)
        let first = squads.takePlayer(&random)!, second = squads.takePlayer(&random)!
        squads.finishRemove(first.slot, name: first.name, succeeded: true)
        XCTAssertFalse(squads.remove(0))
        squads.finishRemove(second.slot, name: second.name, succeeded: true)
        XCTAssertTrue(squads.remove(0))
    }

    func testDeleteIsAnOperationThatNeedsNoSeededIDs() throws {
        XCTAssertFalse(try Workload(mix: "create=50,delete=50").needsTeamIDs)
        XCTAssertTrue(try Workload(mix: "delete=1,rename=1").needsTeamIDs)
    }

    func testAddsSpreadOverTheTeamsWithRoomAndStopWhenAllAreFull() {
        var random = SplitMix64(seed: 3)
        var squads = SquadModel(teams: ["a", "b", "c", "d"], seededPlayers: 0, limit: 10)
        var chosen: [String: Int] = [:]
        for _ in 0..<20 { chosen[squads.team(squads.reserveRoom(&random)!), default: 0] += 1 }
        XCTAssertEqual(chosen.count, 4, "\(chosen)")
        for _ in 0..<20 { XCTAssertNotNil(squads.reserveRoom(&random)) }
        XCTAssertNil(squads.reserveRoom(&random), "40 places, all reserved")
    }

    /// The model is what --check-writes expects: adds that succeeded, less players whose
    /// removal was sent, plus those whose removal failed.
    func testPlayersAreTheAcknowledgedAddsLessTheRemovalsSent() {
        var random = SplitMix64(seed: 5)
        var squads = SquadModel(teams: ["a"], seededPlayers: 1, limit: 10)
        let b = squads.add(team: "b")
        XCTAssertEqual(squads.team(b), "b")
        for (name, succeeded) in [("c0p1", true), ("c0p2", false), ("c0p3", true)] {
            let slot = squads.reserveRoom(&random)!
            squads.finishAdd(slot, name: name, succeeded: succeeded)
        }
        let own = squads.players { $0.hasPrefix("c") }
        XCTAssertEqual(own.values.flatMap { $0 }.sorted(), ["c0p1", "c0p3"])
        XCTAssertEqual(squads.players { _ in true }["a"]?.contains("p0"), true)

        var removals: [(slot: Int, name: String)] = []
        while let taken = squads.takePlayer(&random) { removals.append(taken) }
        XCTAssertEqual(squads.players { _ in true }, [:], "every player's removal is in flight")
        for (index, removal) in removals.enumerated() { squads.finishRemove(removal.slot, name: removal.name, succeeded: index != 0) }
        XCTAssertEqual(squads.players { _ in true }.values.flatMap { $0 }, [removals[0].name], "the failed removal's player is back")
    }
}

extension SquadModelTests {
    /// The teams drawn from follow every change: a full squad gets no add and an empty
    /// one no removal, and a squad that changes back is drawn again.
    func testAddsAndRemovalsFollowTheSquadsAsTheyFillAndEmpty() {
        var random = SplitMix64(seed: 4)
        var squads = SquadModel(teams: ["full"], seededPlayers: 2, limit: 2)
        let full = 0, empty = squads.add(team: "empty")
        for _ in 0..<50 {
            XCTAssertEqual(squads.reserveRoom(&random), empty)
            squads.finishAdd(empty, name: "n", succeeded: false)
            let taken = squads.takePlayer(&random)
            XCTAssertEqual(taken?.slot, full)
            squads.finishRemove(full, name: taken!.name, succeeded: false)
        }
        let removed = squads.takePlayer(&random)!
        squads.finishRemove(removed.slot, name: removed.name, succeeded: true)
        var added = false
        while !added {
            let slot = squads.reserveRoom(&random)!
            added = slot == empty
            squads.finishAdd(slot, name: "m", succeeded: added)
        }
        // Each now has a player and room for one more.
        var reserved: Set<String> = [], taken: Set<String> = []
        for _ in 0..<50 {
            let slot = squads.reserveRoom(&random)!
            reserved.insert(squads.team(slot))
            squads.finishAdd(slot, name: "o", succeeded: false)
            let player = squads.takePlayer(&random)!
            taken.insert(squads.team(player.slot))
            squads.finishRemove(player.slot, name: player.name, succeeded: false)
        }
        XCTAssertEqual(reserved, ["full", "empty"])
        XCTAssertEqual(taken, ["full", "empty"])

        var fullSquads = SquadModel(teams: ["a", "b"], seededPlayers: 3, limit: 3)
        XCTAssertNil(fullSquads.reserveRoom(&random), "every squad is full")
        var emptySquads = SquadModel(teams: ["a", "b"], seededPlayers: 0, limit: 3)
        XCTAssertNil(emptySquads.takePlayer(&random), "no squad has a player")
    }
}
