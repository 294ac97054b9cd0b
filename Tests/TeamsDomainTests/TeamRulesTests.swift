import TeamsDomain
import XCTest

final class TeamRulesTests: XCTestCase {
    let rules = TeamRules.default

    func testTeamNameIsTrimmed() throws {
        XCTAssertEqual(try rules.teamName("  Ajax \n"), "Ajax")
    }

    func testTeamNameMustNotBeEmptyOrBlank() {
        for name in ["", "   ", "\t\n"] {
            XCTAssertThrowsError(try rules.teamName(name)) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("team name must not be empty"))
            }
        }
    }

    func testTeamNameLengthCountsCharactersNotBytes() throws {
        XCTAssertEqual(try rules.teamName(String(repeating: "é", count: 100)).count, 100)
        XCTAssertEqual(try rules.teamName(String(repeating: "⚽️", count: 100)).count, 100)
        XCTAssertThrowsError(try rules.teamName(String(repeating: "a", count: 101)))
    }

    func testNamesMustNotContainControlCharacters() throws {
        for (name, code) in [("Aja\u{0}x", "U+0000"), ("Real\tMadrid", "U+0009"), ("FC\nBarcelona", "U+000A"), ("Bayern\u{7F}", "U+007F")] {
            XCTAssertThrowsError(try rules.teamName(name)) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("team name must not contain control characters, got \(code)"))
            }
            XCTAssertThrowsError(try rules.playerName(name)) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("player name must not contain control characters, got \(code)"))
            }
        }
        XCTAssertEqual(try rules.teamName("Ajax\u{200B}"), "Ajax\u{200B}", "a format character is not a control character")
    }

    func testPlayerNameRules() throws {
        XCTAssertEqual(try rules.playerName(" Zoë "), "Zoë")
        XCTAssertThrowsError(try rules.playerName(" "))
        XCTAssertThrowsError(try rules.playerName(String(repeating: "b", count: 101)))
    }

    func testPlayerNamesAreUniqueIgnoringCase() throws {
        let team = Team(id: TeamID("9m4e2mr0ui3e8a215n4g")!, name: "Ajax", players: [Player(name: "Edwin", position: .goalkeeper)])
        XCTAssertThrowsError(try rules.checkCanAdd(Player(name: "EDWIN", position: .striker), to: team)) { error in
            guard case .alreadyExists = error as? TeamError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try rules.checkCanAdd(Player(name: "Edwina", position: .striker), to: team))
    }

    func testSquadLimit() {
        let rules = TeamRules(squadLimit: 2)
        let team = Team(id: TeamID("9m4e2mr0ui3e8a215n4g")!, name: "A", players: [Player(name: "a", position: .defender), Player(name: "b", position: .defender)])
        XCTAssertThrowsError(try rules.checkCanAdd(Player(name: "c", position: .defender), to: team)) { error in
            guard case .failedPrecondition = error as? TeamError else { return XCTFail("\(error)") }
        }
    }

    func testPositionCodes() {
        XCTAssertEqual(Position(code: "gk"), .goalkeeper)
        XCTAssertEqual(Position(code: "DEF"), .defender)
        XCTAssertEqual(Position(code: "Mid"), .midfielder)
        XCTAssertEqual(Position(code: "ST"), .striker)
        XCTAssertNil(Position(code: "FW"))
        XCTAssertNil(Position(code: ""))
    }

    func testSearchCursorTokenRoundTrips() throws {
        let cursor = SearchCursor(nameKey: "réal 100%_", id: TeamID("9m4e2mr0ui3e8a215n4g")!)
        XCTAssertEqual(SearchCursor(token: cursor.token), cursor)
        XCTAssertNil(SearchCursor(token: "zz"))
        XCTAssertNil(SearchCursor(token: "abc"))
        XCTAssertNil(SearchCursor(token: ""))
    }
}
