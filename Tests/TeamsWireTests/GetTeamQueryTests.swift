import RPCCore
import TeamsDomain
import TeamsProto
import TeamsWire
import XCTest

/// A GetTeam request read straight from its bytes asks for the team its decoded message does.
final class GetTeamQueryTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!

    func query(_ bytes: [UInt8]) -> GetTeamQuery? {
        bytes.withUnsafeBytes { GetTeamQuery(packed: $0) }
    }

    func testTheRequestEveryClientSendsIsReadWithoutDecoding() throws {
        let bytes = try Teams_V1_GetTeamRequest(id: id.description).encodedBytes()
        XCTAssertEqual(query(bytes)?.id, .parsed(id))
    }

    func testRandomIDsReadAsTheDecodedMessageParses() throws {
        for _ in 0..<500 {
            let id = TeamID(bytes: (0..<12).map { _ in UInt8.random(in: 0...255) })!
            let bytes = try Teams_V1_GetTeamRequest(id: id.description).encodedBytes()
            let decoded = try Teams_V1_GetTeamRequest(decoding: bytes)
            XCTAssertEqual(query(bytes)?.id, .parsed(id))
            XCTAssertEqual(TeamID(decoded.id), id)
        }
    }

    /// Anything but the exact pattern is left to the decoder, which gives the id as text.
    func testEveryOtherPayloadIsLeftToTheDecoder() throws {
        let valid = try Teams_V1_GetTeamRequest(id: id.description).encodedBytes()
        let others: [[UInt8]] = [
            [],  // no id
            try Teams_V1_GetTeamRequest(id: "nope").encodedBytes(),
            try Teams_V1_GetTeamRequest(id: id.description.uppercased()).encodedBytes(),  // 20 bytes, not an xid
            valid + [0x10, 0x01],  // an unknown field after the id
            valid + valid,  // the id twice: the last one counts
            [0x12] + valid.dropFirst(),  // field 2, not 1
            Array(valid.dropLast()),  // cut short
        ]
        for bytes in others {
            XCTAssertNil(query(bytes), "\(bytes)")
            if let decoded = try? Teams_V1_GetTeamRequest(decoding: bytes) {
                XCTAssertEqual(GetTeamQuery(decoded).id, .text(decoded.id))
            }
        }
    }
}
