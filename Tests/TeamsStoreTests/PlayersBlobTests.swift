import Foundation
import TeamsDomain
import XCTest

@testable import TeamsSQLiteStore

final class PlayersBlobTests: XCTestCase {
    func testEveryPlayerReadsBackAsWritten() {
        let names = [
            "Ann", "", "O\"Neil", "back\\slash", "tab\there", "new\nline", "nul\u{0}byte", "Zoë", "ФК Зенит", "⚽️ 東京", "e\u{301}",
            String(repeating: "x", count: 127), String(repeating: "y", count: 128), String(repeating: "é", count: 300),
        ]
        let positions = Position.allCases
        let players = names.enumerated().map { Player(name: $1, position: positions[$0 % positions.count]) }
        XCTAssertEqual(PlayersBlob.decode(Data(PlayersBlob.encode(players))), players)
        for player in players { XCTAssertEqual(PlayersBlob.decode(Data(PlayersBlob.encode([player]))), [player], player.name) }
        XCTAssertEqual(PlayersBlob.decode(Data(PlayersBlob.encode([]))), [])
    }

    func testTheLayout() {
        XCTAssertEqual(
            [UInt8](PlayersBlob.encode([Player(name: "Ann", position: .goalkeeper), Player(name: "Bo", position: .striker)])),
            [0, 3, 0x41, 0x6E, 0x6E, 3, 2, 0x42, 0x6F])
        let long = String(repeating: "z", count: 200)
        XCTAssertEqual([UInt8](PlayersBlob.encode([Player(name: long, position: .defender)])).prefix(3), [1, 0xC8, 0x01])
        XCTAssertEqual(PlayersBlob.encode(Position.allCases.map { Player(name: "", position: $0) }), [0, 0, 1, 0, 2, 0, 3, 0])
    }

    func testBytesOfAnotherLayoutAreRefused() {
        let refused: [[UInt8]] = [
            [4, 0],  // no such position
            [0],  // no length
            [0, 0x80],  // a length cut short
            [0, 3, 0x41],  // a name past the end
            [0, 2, 0xC3, 0x28],  // not UTF-8
            [0, 0x80, 0x80, 0x80, 0x80, 0x01],  // a length of more than 4 bytes
            [0, 1, 0x41, 7],  // a second player cut short
        ]
        for bytes in refused { XCTAssertNil(PlayersBlob.decode(Data(bytes)), "\(bytes)") }
    }

    /// A blob read from a row is a slice whose indices need not start at zero.
    func testReadsASliceOfLargerData() {
        let bytes = Data([9, 9] + PlayersBlob.encode([Player(name: "Ann", position: .midfielder)]))
        XCTAssertEqual(PlayersBlob.decode(bytes.dropFirst(2)), [Player(name: "Ann", position: .midfielder)])
    }
}
