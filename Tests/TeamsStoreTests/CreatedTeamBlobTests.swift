import Foundation
import TeamsDomain
import XCTest

@testable import TeamsSQLiteStore

final class CreatedTeamBlobTests: XCTestCase {
    private let ids = TeamIDGenerator.forThisProcess()

    func testATeamReadsBackAsWritten() {
        let names = ["Ajax", "", "Zoë", "ФК Зенит", "⚽️ 東京", String(repeating: "y", count: 128), String(repeating: "é", count: 300)]
        for (offset, name) in names.enumerated() {
            let players = names.prefix(offset).map { Player(name: $0, position: .defender) }
            for version: UInt64 in [1, 127, 128, UInt64(Int64.max), .max] {
                let team = Team(id: ids.next(), name: name, players: players, version: version)
                XCTAssertEqual(CreatedTeamBlob.decode(Data(CreatedTeamBlob.encode(team)), id: team.id), team, "\(name) v\(version)")
            }
        }
    }

    func testTheLayout() {
        let team = Team(id: ids.next(), name: "Ajax", players: [Player(name: "Bo", position: .striker)], version: 200)
        XCTAssertEqual([UInt8](CreatedTeamBlob.encode(team)), [0xC8, 0x01, 4, 0x41, 0x6A, 0x61, 0x78, 3, 2, 0x42, 0x6F])
    }

    func testBytesOfAnotherLayoutAreRefused() {
        let refused: [[UInt8]] = [
            [],  // no version
            [0x80],  // a version that does not end
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0],  // a version past 64 bits
            [1],  // no name
            [1, 5, 0x41],  // a name past the end
            [1, 2, 0xC3, 0x28],  // a name that is not UTF-8
            [1, 1, 0x41, 9, 0],  // a player at an unknown position
        ]
        for bytes in refused { XCTAssertNil(CreatedTeamBlob.decode(Data(bytes), id: ids.next()), "\(bytes)") }
    }
}
