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

    func testTheFastReaderReadsWhatItsWriterWroteAndEveryEscape() throws {
        let players = awkwardNames.map { Player(name: $0, position: .defender) }
        XCTAssertEqual(PlayersJSON.decode(PlayersJSON.encode(players))?.map(\.name), awkwardNames)
        XCTAssertEqual(PlayersJSON.decode(PlayersJSON.encode([]))?.count, 0)
        let escaped = #"[{"name":"\/\b\f\n\r\t\u00e9\ud83d\ude00\"\\","position":"GK"}]"#
        XCTAssertEqual(PlayersJSON.decode(escaped)?.map(\.name), ["/\u{8}\u{C}\n\r\té😀\"\\"])
    }

    /// What the fast reader declines, Foundation's decoder decides: it reads another
    /// key order or spacing, and names the rest as corrupt.
    func testWhatTheFastReaderDeclinesFoundationDecides() throws {
        let others = [
            #" [ { "position" : "GK" , "name" : "Ann" } ] "#, #"[{"name":"Ann","position":"GK","shirt":"9"}]"#,
        ]
        for json in others {
            XCTAssertNil(PlayersJSON.decode(json), json)
            XCTAssertEqual(try TeamRow.players(json: json, of: "test"), [Player(name: "Ann", position: .goalkeeper)], json)
        }
        let corrupt = [
            "not json", "[", #"[{"name":"Ann"}]"#, #"[{"name":"Ann","position":"GK"}"#, #"[{"name":"\ud800","position":"GK"}]"#,
            "[{\"name\":\"a\u{1}\",\"position\":\"GK\"}]", #"[{"name":"Ann","position":"GK"}] x"#, #"[{"name":"\x","position":"GK"}]"#,
        ]
        for json in corrupt {
            XCTAssertNil(PlayersJSON.decode(json), json)
            XCTAssertThrowsError(try TeamRow.players(json: json, of: "test"), json)
        }
        XCTAssertThrowsError(try TeamRow.players(json: #"[{"name":"Ann","position":"XX"}]"#, of: "test")) { error in
            XCTAssertEqual(error as? RepositoryError, .corrupt("test has a player with unknown position XX"))
        }
    }

    /// An idempotency key's row keeps the team as created, for a repeat after it was deleted.
    func testATeamAsCreatedReadsBackAsWritten() throws {
        let ids = TeamIDGenerator.forThisProcess()
        for name in awkwardNames where !name.isEmpty {
            let team = Team(id: ids.next(), name: name, players: [Player(name: name, position: .striker)], version: 7)
            XCTAssertEqual(try TeamRow.decode(json: TeamRow.encode(json: team), of: "test"), team, name)
        }
    }
}
