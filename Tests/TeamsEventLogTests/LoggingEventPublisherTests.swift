import Logging
import TeamsDomain
@testable import TeamsEventLog
import XCTest

final class LoggingEventPublisherTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!

    func testEachEventIsOneLineWithItsFields() {
        let added = TeamEvent(sequence: 7, teamID: id, version: 3, change: .playerAdded(Player(name: "Cruijff", position: .striker)), occurredAt: 0)
        let metadata = LoggingEventPublisher.metadata(of: added)
        XCTAssertEqual(metadata["event"], "PlayerAdded")
        XCTAssertEqual(metadata["sequence"], "7")
        XCTAssertEqual(metadata["team_id"], "9m4e2mr0ui3e8a215n4g")
        XCTAssertEqual(metadata["player_name"], "Cruijff")
        XCTAssertEqual(metadata["position"], "ST")
        let renamed = LoggingEventPublisher.metadata(of: TeamEvent(teamID: id, version: 2, change: .teamRenamed(name: "Ajax"), occurredAt: 0))
        XCTAssertEqual(renamed["team_name"], "Ajax")
        XCTAssertNil(renamed["player_name"])
    }
}
