import NIOCore
import RPCCore
import TeamsDomain
import TeamsProto
import TeamsWire
import XCTest

/// A GetTeam response packed from the domain's team is the generated message's bytes.
final class PackedGetTeamResponseTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!

    func testEveryShapeOfTeamPacksAsTheGeneratedMessageDoes() throws {
        // Lengths either side of one- and two-byte varints, empty fields, and text that is not ASCII.
        let names = ["", "A", "Ajax", "Ñandú ⚽️ 北京", String(repeating: "x", count: 127), String(repeating: "é", count: 100)]
        let versions: [UInt64] = [0, 1, 127, 128, UInt64.max]
        for name in names {
            for version in versions {
                for count in [0, 1, 11, 300] {
                    let players = (0..<count).map { index in
                        Player(name: names[index % names.count] + "\(index)", position: Position.allCases[index % Position.allCases.count])
                    }
                    try assertPacksAsTheMessage(Team(id: id, name: name, players: players, version: version))
                }
            }
        }
    }

    func testAPackedTeamDecodesBackToTheTeam() throws {
        let team = Team(id: id, name: "Ajax", players: Position.allCases.map { Player(name: "P \($0)", position: $0) }, version: 4)
        var buffer = ByteBuffer()
        try PackedGetTeamResponse(team).encode(into: &buffer)
        XCTAssertEqual(try Team(from: Teams_V1_GetTeamResponse(decoding: buffer).team), team)
    }

    func assertPacksAsTheMessage(_ team: Team, file: StaticString = #filePath, line: UInt = #line) throws {
        var packed = ByteBuffer(string: "before")
        var generated = ByteBuffer(string: "before")
        let encoding = PackedGetTeamResponse(team)
        try encoding.encode(into: &packed)
        try Teams_V1_GetTeamResponse(team: Teams_V1_Team(team)).encode(into: &generated)
        XCTAssertEqual(packed, generated, "team \"\(team.name)\" with \(team.players.count) players, version \(team.version)", file: file, line: line)
        XCTAssertEqual(packed.readableBytes - 6, encoding.packedSize, file: file, line: line)
    }
}
