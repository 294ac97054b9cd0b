import NIOCore
@testable import RPCCore
import TeamsProto
import XCTest

/// Messages built from their schema encode as the generated packer and protoc-c do,
/// and decode through protoc-c to the same fields.
final class DynamicMessageTests: XCTestCase {
    let player = Teams_V1_Player(name: "Iker", position: .gk)

    func testTheSchemaNamesEachFieldAsTheProtoDoes() throws {
        let schema = try XCTUnwrap(MessageSchema(Teams_V1_AddPlayerRequest.wireType))
        XCTAssertEqual(schema.name, "teams.v1.AddPlayerRequest")
        XCTAssertEqual(schema.fields.map(\.name), ["team_id", "player", "expected_version"])
        XCTAssertEqual(schema.fields.map(\.jsonName), ["teamId", "player", "expectedVersion"])
        XCTAssertEqual(schema.fields.map(\.number), [1, 2, 3])
        XCTAssertEqual(schema.fields.map(\.kind.description), ["string", "teams.v1.Player", "uint64"])
        XCTAssertEqual(schema.field(named: "teamId")?.number, 1)
        XCTAssertEqual(schema.field(named: "team_id")?.number, 1)
        XCTAssertNil(schema.field(named: "teamid"))
        let team = try XCTUnwrap(MessageSchema(Teams_V1_Team.wireType))
        XCTAssertEqual(team.field(named: "players")?.label, .repeated)
        XCTAssertEqual(team.declaration.split(separator: "\n")[3], "  repeated teams.v1.Player players = 3;")
        guard case .enumeration(let position) = try XCTUnwrap(MessageSchema(Teams_V1_Player.wireType)).fields[1].kind else {
            return XCTFail("position is an enum")
        }
        XCTAssertEqual(position.number(of: "POSITION_GK"), 1)
        XCTAssertEqual(position.name(of: 4), "POSITION_ST")
    }

    func testANestedMessageEncodesAsTheGeneratedOne() throws {
        let generated = Teams_V1_AddPlayerRequest(teamID: "9m4e2mr0ui3e8a215n4g", player: player, expectedVersion: 300)
        let dynamic = try message(Teams_V1_AddPlayerRequest.self, [
            1: .string("9m4e2mr0ui3e8a215n4g"),
            2: .message(try message(Teams_V1_Player.self, [1: .string("Iker"), 2: .enumeration(1)])),
            3: .uint(300),
        ])
        try assertSameBytes(dynamic, generated)
    }

    func testRepeatedMessagesAndDefaultsEncodeAsTheGeneratedOnes() throws {
        let teams = [Teams_V1_Team(id: "a", name: "A", players: [player, player], version: 1), Teams_V1_Team()]
        let generated = Teams_V1_SearchTeamsResponse(teams: teams, nextPageToken: "")
        let teamSchema = try XCTUnwrap(MessageSchema(Teams_V1_Team.wireType))
        let playerMessage = try message(Teams_V1_Player.self, [1: .string("Iker"), 2: .enumeration(1)])
        let dynamic = try message(Teams_V1_SearchTeamsResponse.self, [
            1: .list([
                .message(DynamicMessage(schema: teamSchema, values: [1: .string("a"), 2: .string("A"), 3: .list([.message(playerMessage), .message(playerMessage)]), 4: .uint(1)])),
                // An empty team is still an element; an empty token is left out.
                .message(DynamicMessage(schema: teamSchema, values: [4: .uint(0), 2: .string("")])),
            ]),
            2: .string(""),
        ])
        try assertSameBytes(dynamic, generated)
    }

    func testSignedSixtyFourBitIntegersEncodeAsTheGeneratedOnes() throws {
        let generated = Teams_V1_TeamEvent(sequence: 7, kind: .playerAdded, teamID: "t", version: 2, player: player, occurredAtMs: -5)
        let decoded = try DynamicMessage(decoding: try generatedBytes(generated), as: try XCTUnwrap(MessageSchema(Teams_V1_TeamEvent.wireType)))
        XCTAssertEqual(decoded.values[7], .int(-5))
        XCTAssertEqual(decoded.values[2], .enumeration(Int32(Teams_V1_TeamEvent.Kind.playerAdded.rawValue)))
        XCTAssertNil(decoded.values[5], "an empty team name is absent")
        try assertSameBytes(decoded, generated)
    }

    func testBoolsDecodeAndEncode() throws {
        let generated = Teams_V1_ListMethodsResponse(methods: [.init(name: "/a/B", serverStreaming: true), .init(name: "/a/C", serverStreaming: false)])
        let decoded = try DynamicMessage(decoding: try generatedBytes(generated), as: try XCTUnwrap(MessageSchema(Teams_V1_ListMethodsResponse.wireType)))
        guard case .list(let methods) = decoded.values[1], case .message(let first) = methods.first else { return XCTFail("\(decoded)") }
        XCTAssertEqual(first.values[2], .bool(true))
        try assertSameBytes(decoded, generated)
    }

    func testAValueOfTheWrongKindIsRefused() throws {
        let wrong = try message(Teams_V1_GetTeamRequest.self, [1: .uint(3)])
        XCTAssertThrowsError(try wrong.encoded()) { error in
            XCTAssertEqual(error as? WireError, .malformed("id is string: uint(3) does not fit"))
        }
        let tooBig = try message(Teams_V1_SearchTeamsRequest.self, [2: .uint(1 << 40)])
        XCTAssertThrowsError(try tooBig.encoded(), "page_size is a uint32")
    }

    func testBytesThatAreNotTheMessageAreMalformed() throws {
        let schema = try XCTUnwrap(MessageSchema(Teams_V1_GetTeamRequest.wireType))
        XCTAssertThrowsError(try DynamicMessage(decoding: ByteBuffer(bytes: [0x0A, 0x05, 0x61]), as: schema)) { error in
            XCTAssertEqual(error as? WireError, .malformed("payload is not a valid teams.v1.GetTeamRequest"))
        }
        XCTAssertThrowsError(try DynamicMessage(decoding: ByteBuffer(bytes: [0x0A, 0x01, 0xFF]), as: schema), "a string that is not UTF-8")
    }

    // MARK: Helpers

    func message<M: CBridgedMessage>(_ type: M.Type, _ values: [UInt32: DynamicValue]) throws -> DynamicMessage {
        DynamicMessage(schema: try XCTUnwrap(MessageSchema(M.wireType)), values: values)
    }

    func generatedBytes(_ message: some CBridgedMessage) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try message.encode(into: &buffer)
        return buffer
    }

    /// The dynamic message's bytes are the generated packer's and protoc-c's, and decode back to it.
    func assertSameBytes<M: CBridgedMessage>(_ dynamic: DynamicMessage, _ generated: M, file: StaticString = #filePath, line: UInt = #line) throws {
        let packed = try generatedBytes(generated)
        var protobufC = ByteBuffer()
        try generated.packWithProtobufC(into: &protobufC)
        let encoded = try dynamic.encoded()
        XCTAssertEqual(Array(buffer: encoded), Array(buffer: packed), "as the generated packer", file: file, line: line)
        XCTAssertEqual(Array(buffer: encoded), Array(buffer: protobufC), "as protoc-c", file: file, line: line)
        let decoded = try DynamicMessage(decoding: encoded, as: dynamic.schema)
        XCTAssertEqual(try decoded.encoded(), encoded, "decoded and encoded again", file: file, line: line)
    }
}
