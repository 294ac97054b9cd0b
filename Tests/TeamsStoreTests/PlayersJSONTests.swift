import Foundation
import TeamsDomain
import XCTest

@testable import TeamsSQLiteStore

final class PlayersJSONTests: XCTestCase {
    let awkwardNames = [
        "Ann", "", "O\"Neil", "back\\slash", "slash/ed", "tab\there", "new\nline", "nul\u{0}byte", "\u{1F}unit", "Zoë",
        "ФК Зенит", "⚽️ 東京", "e\u{301}", String(repeating: "x", count: 100),
    ]

    func testEveryPlayerReadsBackAsWritten() throws {
        let positions: [Position] = [.goalkeeper, .defender, .midfielder, .striker]
        let players = awkwardNames.enumerated().map { Player(name: $1, position: positions[$0 % 4]) }
        let json = PlayersJSON.encode(players)
        XCTAssertEqual(try TeamRow.players(json: json, of: "test"), players)
        for player in players {
            XCTAssertEqual(try TeamRow.players(json: PlayersJSON.encode([player]), of: "test"), [player], player.name)
        }
    }

    func testTheLayoutIsTheOneJSONEncoderWrote() throws {
        struct Written: Codable, Equatable {
            var name: String
            var position: String
        }
        let players = [Player(name: "Ann", position: .goalkeeper), Player(name: "Bo \"B\"", position: .striker)]
        XCTAssertEqual(PlayersJSON.encode(players), #"[{"name":"Ann","position":"GK"},{"name":"Bo \"B\"","position":"ST"}]"#)
        XCTAssertEqual(PlayersJSON.encode([]), "[]")
        // Files written by earlier versions (JSONEncoder's output, "/" escaped) read the same.
        let old = String(decoding: try JSONEncoder().encode([Written(name: "a/b", position: "DEF")]), as: UTF8.self)
        XCTAssertEqual(try TeamRow.players(json: old, of: "test"), try TeamRow.players(json: PlayersJSON.encode([Player(name: "a/b", position: .defender)]), of: "test"))
    }

    func testControlCharactersAreEscapedSoTheJSONStaysValid() throws {
        let json = PlayersJSON.encode([Player(name: "a\u{1}\n\"", position: .midfielder)])
        XCTAssertFalse(json.utf8.contains { $0 < 0x20 }, json)
        XCTAssertTrue(json.contains(#"a\u0001\u000a\""#), json)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }
}
