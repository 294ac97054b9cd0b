import TeamsDomain
import XCTest

final class TeamEventKindTests: XCTestCase {
    static let keeper = Player(name: "Edwin", position: .goalkeeper)
    static let everyChange: [TeamEvent.Change] = [
        .teamCreated(name: "Ajax"), .teamRenamed(name: "AFC Ajax"), .teamDeleted,
        .playerAdded(keeper), .playerRemoved(keeper),
    ]

    /// Stores keep these strings: existing databases only read if they never change.
    func testRawValuesAreTheStoredNames() {
        XCTAssertEqual(TeamEvent.Kind.allCases.map(\.rawValue), ["TeamCreated", "TeamRenamed", "TeamDeleted", "PlayerAdded", "PlayerRemoved"])
        XCTAssertEqual(Self.everyChange.map(\.kind), TeamEvent.Kind.allCases)
        let id = TeamID("9m4e2mr0ui3e8a215n4g")!
        XCTAssertEqual(Self.everyChange.map { TeamEvent(teamID: id, version: 1, change: $0, occurredAt: 0).name }, TeamEvent.Kind.allCases.map(\.rawValue))
    }

    func testUnknownNamesDoNotParse() {
        XCTAssertNil(TeamEvent.Kind(rawValue: "teamcreated"))
        XCTAssertNil(TeamEvent.Kind(rawValue: ""))
    }

    func testChangesRoundTripThroughKindAndDetails() {
        for change in Self.everyChange {
            XCTAssertEqual(TeamEvent.Change(kind: change.kind, teamName: change.teamName ?? "", player: change.player), change)
        }
    }

    func testDetailsBelongToTheirKindsOnly() {
        XCTAssertEqual(TeamEvent.Change.teamRenamed(name: "Ajax").teamName, "Ajax")
        XCTAssertNil(TeamEvent.Change.teamRenamed(name: "Ajax").player)
        XCTAssertNil(TeamEvent.Change.playerAdded(Self.keeper).teamName)
        XCTAssertNil(TeamEvent.Change.teamDeleted.teamName)
        XCTAssertNil(TeamEvent.Change.teamDeleted.player)
        // A detail of another kind is ignored; a player kind needs its player.
        XCTAssertEqual(TeamEvent.Change(kind: .teamDeleted, teamName: "Ajax", player: Self.keeper), .teamDeleted)
        XCTAssertEqual(TeamEvent.Change(kind: .teamCreated, teamName: "Ajax", player: Self.keeper), .teamCreated(name: "Ajax"))
        XCTAssertEqual(TeamEvent.Change(kind: .playerRemoved, teamName: "Ajax", player: Self.keeper), .playerRemoved(Self.keeper))
        XCTAssertNil(TeamEvent.Change(kind: .playerAdded, teamName: "", player: nil))
        XCTAssertNil(TeamEvent.Change(kind: .playerRemoved, teamName: "", player: nil))
    }
}
