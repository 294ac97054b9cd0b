import RPCCore
import TeamsDomain
import TeamsProto
import TeamsWire
import XCTest

/// The domain's values to and from the generated messages, and what a bad message gives.
final class TeamMessageTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!

    func testATeamSurvivesTheMessageAndTheBytes() throws {
        let team = Team(id: id, name: "Ajax", players: Position.allCases.map { Player(name: "P \($0)", position: $0) }, version: 4)
        let message = Teams_V1_Team(team)
        XCTAssertEqual(message.id, "9m4e2mr0ui3e8a215n4g")
        XCTAssertEqual(message.players.map(\.position), [.gk, .def, .mid, .st])
        XCTAssertEqual(try Team(message), team)
        XCTAssertEqual(try Team(Teams_V1_Team(decoding: message.encodedBytes())), team)
    }

    func testEveryPositionMapsBothWaysAndUnspecifiedIsNone() {
        for position in Position.allCases { XCTAssertEqual(Position(position.message), position) }
        XCTAssertNil(Position(.unspecified))
        XCTAssertNil(Position(.unrecognized(9)))
    }

    func testABadTeamIsMalformedNotACrash() {
        XCTAssertThrowsError(try Team(Teams_V1_Team(id: "not-an-xid"))) { error in
            XCTAssertEqual(error as? WireError, .malformed("team id \"not-an-xid\" is not an xid"))
        }
        XCTAssertThrowsError(try Team(Teams_V1_Team(id: id.description, players: [.init(name: "p", position: .unrecognized(9))]))) { error in
            XCTAssertEqual(error as? WireError, .malformed("player \"p\" has no known position (9)"))
        }
        XCTAssertThrowsError(try Team(from: nil)) { error in
            XCTAssertEqual(error as? WireError, .malformed("the response has no team"))
        }
    }

    func testEveryEventKindSurvivesTheMessage() throws {
        let changes: [TeamEvent.Change] = [
            .teamCreated(name: "A"), .teamRenamed(name: "B"), .teamDeleted,
            .playerAdded(Player(name: "P", position: .defender)), .playerRemoved(Player(name: "Q", position: .striker)),
        ]
        for (index, change) in changes.enumerated() {
            let event = TeamEvent(sequence: UInt64(index + 1), teamID: id, version: 9, change: change, occurredAt: 1_700_000_000_000)
            XCTAssertEqual(try TeamEvent(Teams_V1_TeamEvent(decoding: Teams_V1_TeamEvent(event).encodedBytes())), event)
        }
    }

    func testABadEventIsMalformed() {
        XCTAssertThrowsError(try TeamEvent(Teams_V1_TeamEvent(kind: .playerAdded, teamID: id.description)))
        XCTAssertThrowsError(try TeamEvent(Teams_V1_TeamEvent(kind: .unspecified, teamID: id.description)))
        XCTAssertThrowsError(try TeamEvent(Teams_V1_TeamEvent(kind: .teamDeleted, teamID: "x")))
    }
}
