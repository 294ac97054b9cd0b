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
        XCTAssertEqual(try rules.teamName(String(repeating: "⚽️", count: 42)).count, 42)
        XCTAssertThrowsError(try rules.teamName(String(repeating: "a", count: 101)))
    }

    /// One character may hold any number of combining marks: bytes are capped too.
    func testNamesAreCappedInBytes() throws {
        let oneCharacter = "e" + String(String.UnicodeScalarView((0..<8000).map { Unicode.Scalar(0x300 + UInt32($0 % 112))! }))
        XCTAssertEqual(oneCharacter.count, 1)
        for (field, check) in [("team name", rules.teamName), ("player name", rules.playerName)] as [(String, (String) throws(TeamError) -> String)] {
            XCTAssertThrowsError(try check(oneCharacter)) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("\(field) must be at most 256 bytes of UTF-8, got 16001"))
            }
            XCTAssertThrowsError(try check(String(repeating: "⚽️", count: 43)), "258 bytes")
            XCTAssertEqual(try check(String(repeating: "ü", count: 100)).utf8.count, 200)
        }
    }

    func testSearchTermsAreCappedInBytes() throws {
        XCTAssertEqual(try rules.searchTerm("  ajax "), "ajax")
        XCTAssertEqual(try rules.searchTerm(String(repeating: "a", count: 256)).utf8.count, 256)
        XCTAssertThrowsError(try rules.searchTerm(String(repeating: "a", count: 4 << 20))) { error in
            XCTAssertEqual(error as? TeamError, .invalidArgument("search term must be at most 256 bytes of UTF-8, got 4194304"))
        }
    }

    func testNamesRefuseSeparatorsAndBidirectionalControls() throws {
        let cases: [(String, String)] = [
            ("Aj\u{2028}ax", "line or paragraph separators, got U+2028"), ("Aj\u{2029}ax", "line or paragraph separators, got U+2029"),
            ("Ajax\u{202E}xaja", "bidirectional controls, got U+202E"), ("\u{2066}Ajax", "bidirectional controls, got U+2066"),
            ("Ajax\u{200F}", "bidirectional controls, got U+200F"), ("Ajax\u{61C}", "bidirectional controls, got U+061C"),
        ]
        for (name, reason) in cases {
            XCTAssertThrowsError(try rules.teamName(name)) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("team name must not contain \(reason)"))
            }
        }
    }

    func testNamesNeedAVisibleCharacter() throws {
        for name in ["\u{200B}", "\u{200B}\u{200D}", "\u{0301}", "\u{FE0F}", "\u{200D}"] {
            XCTAssertThrowsError(try rules.teamName(name), name.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")) { error in
                XCTAssertEqual(error as? TeamError, .invalidArgument("team name must contain a visible character (a letter, digit, punctuation mark or symbol)"))
            }
        }
        // The joiners emoji and some scripts need stay allowed.
        XCTAssertNoThrow(try rules.teamName("👨\u{200D}👩\u{200D}👧 FC"))
        XCTAssertNoThrow(try rules.teamName("می\u{200C}خواهم"))
        XCTAssertNoThrow(try rules.playerName("Ø"))
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
