import NIOCore
import RPCCore
import TeamsProto
import XCTest

@testable import TeamsCLI

final class MessageJSONTests: XCTestCase {
    func schema(_ type: WireMessageType) throws -> MessageSchema { try XCTUnwrap(MessageSchema(type)) }

    /// JSON names or .proto names, 64-bit integers as numbers or strings, enums by name
    /// or number: the message is the one the generated type encodes.
    func testJSONMakesTheMessageTheGeneratedTypeWould() throws {
        let json = #"{"team_id": "9m4e2mr0ui3e8a215n4g", "player": {"name": "Iker", "position": "POSITION_GK"}, "expectedVersion": "300"}"#
        let message = try MessageJSON.message(from: json, schema: schema(Teams_V1_AddPlayerRequest.wireType))
        let generated = Teams_V1_AddPlayerRequest(teamID: "9m4e2mr0ui3e8a215n4g", player: .init(name: "Iker", position: .gk), expectedVersion: 300)
        XCTAssertEqual(Array(buffer: try message.encoded()), try generated.encodedBytes())

        let byNumber = try MessageJSON.message(from: #"{"player": {"position": 1}, "expected_version": 300}"#, schema: schema(Teams_V1_AddPlayerRequest.wireType))
        guard case .message(let player) = byNumber.values[2] else { return XCTFail("\(byNumber)") }
        XCTAssertEqual(player.values[2], .enumeration(1))
        XCTAssertEqual(byNumber.values[3], .uint(300))
    }

    func testTheResponseIsWrittenAsProto3JSON() throws {
        let event = Teams_V1_TeamEvent(sequence: 7, kind: .teamRenamed, teamID: "t", version: 2, teamName: "A \"B\"\n", occurredAtMs: 1_700_000_000_000)
        let message = try DynamicMessage(decoding: ByteBuffer(bytes: try event.encodedBytes()), as: schema(Teams_V1_TeamEvent.wireType))
        XCTAssertEqual(MessageJSON.text(of: message), """
            {
              "sequence": "7",
              "kind": "KIND_TEAM_RENAMED",
              "teamId": "t",
              "version": "2",
              "teamName": "A \\"B\\"\\n",
              "occurredAtMs": "1700000000000"
            }
            """)
        let methods = Teams_V1_ListMethodsResponse(methods: [.init(name: "/a/B", serverStreaming: true)])
        let listed = try DynamicMessage(decoding: ByteBuffer(bytes: try methods.encodedBytes()), as: schema(Teams_V1_ListMethodsResponse.wireType))
        XCTAssertEqual(MessageJSON.text(of: listed), "{\n  \"methods\": [\n    {\n      \"name\": \"/a/B\",\n      \"serverStreaming\": true\n    }\n  ]\n}")
    }

    func testWrittenJSONReadsBackAsTheSameMessage() throws {
        let team = Teams_V1_Team(id: "x", name: "Ajax", players: [.init(name: "P", position: .st)], version: 9)
        let schema = try schema(Teams_V1_Team.wireType)
        let message = try DynamicMessage(decoding: ByteBuffer(bytes: try team.encodedBytes()), as: schema)
        XCTAssertEqual(try MessageJSON.message(from: MessageJSON.text(of: message), schema: schema), message)
    }

    func testAMismatchSaysWhereAndWhy() throws {
        let add = try schema(Teams_V1_AddPlayerRequest.wireType)
        let cases: [(String, String)] = [
            (#"{"teamID": "x"}"#, #"teams.v1.AddPlayerRequest: no field "teamID"; teams.v1.AddPlayerRequest has teamId, player, expectedVersion"#),
            (#"{"player": {"position": "GOALIE"}}"#, "teams.v1.AddPlayerRequest.player.position: expected one of POSITION_UNSPECIFIED, POSITION_GK, POSITION_DEF, POSITION_MID, POSITION_ST for teams.v1.Position, got \"GOALIE\""),
            (#"{"expectedVersion": -1}"#, "teams.v1.AddPlayerRequest.expectedVersion: expected a whole number of 0 or more for uint64, got -1"),
            (#"{"expectedVersion": 1.5}"#, "teams.v1.AddPlayerRequest.expectedVersion: expected a whole number of 0 or more for uint64, got 1.5"),
            (#"{"teamId": 5}"#, "teams.v1.AddPlayerRequest.teamId: expected a string for string, got 5"),
            (#"{"player": []}"#, "teams.v1.AddPlayerRequest.player: expected a JSON object, got an array"),
            ("[1]", "teams.v1.AddPlayerRequest: expected a JSON object, got an array"),
            ("{", "the request: not valid JSON"),
        ]
        for (json, said) in cases {
            XCTAssertThrowsError(try MessageJSON.message(from: json, schema: add), json) { error in
                XCTAssertEqual("\(error)", said, json)
            }
        }
        XCTAssertThrowsError(try MessageJSON.message(from: #"{"pageSize": 4294967296}"#, schema: schema(Teams_V1_SearchTeamsRequest.wireType)))
        XCTAssertThrowsError(try MessageJSON.message(from: #"{"methods": [{"serverStreaming": 1}]}"#, schema: schema(Teams_V1_ListMethodsResponse.wireType)), "1 is not a bool")
        XCTAssertNoThrow(try MessageJSON.message(from: #"{"methods": [{"serverStreaming": true}]}"#, schema: schema(Teams_V1_ListMethodsResponse.wireType)))
    }

    func testMethodsAreFoundByAnyUnambiguousName() {
        for name in ["/teams.v1.TeamService/GetTeam", "teams.v1.TeamService/GetTeam", "teams.v1.TeamService.GetTeam", "TeamService/GetTeam", "GetTeam"] {
            XCTAssertEqual(Catalogue.method(named: name)?.path, "/teams.v1.TeamService/GetTeam", name)
        }
        XCTAssertNil(Catalogue.method(named: "Team"))
        XCTAssertNil(Catalogue.method(named: "eamService/GetTeam"))
        XCTAssertEqual(Catalogue.messages.count, 23, "\(Catalogue.messages.keys.sorted())")
    }
}
