import NIOCore
import RPCCore
import TeamsProto
import XCTest

/// Round trips of the generated `teams.v1` messages through the protoc-c bridge.
/// Run under `make test-asan` too: every decode and encode must free what it allocated.
final class TeamsMessagesTests: XCTestCase {
    let id = "9m4e2mr0ui3e8a215n4g"
    let positions: [Teams_V1_Position] = [.gk, .def, .mid, .st]

    func roundTrip<M: WireMessage & Equatable>(_ message: M, file: StaticString = #filePath, line: UInt = #line) throws {
        var buffer = ByteBuffer()
        try message.encode(into: &buffer)
        XCTAssertEqual(try M(decoding: buffer), message, file: file, line: line)
        XCTAssertEqual(try M(decoding: message.encodedBytes()), message, file: file, line: line)
    }

    func team(players count: Int, name: String = "Ajax") -> Teams_V1_Team {
        Teams_V1_Team(
            id: id, name: name, players: (0..<count).map { Teams_V1_Player(name: "Player \($0) ñ", position: positions[$0 % 4]) }, version: 7)
    }

    func testTeamResponsesRoundTripWithZeroOneAndManyPlayers() throws {
        for count in [0, 1, 11, 30] {
            let team = team(players: count)
            try roundTrip(Teams_V1_GetTeamResponse(team: team))
            try roundTrip(Teams_V1_CreateTeamResponse(team: team))
            try roundTrip(Teams_V1_RenameTeamResponse(team: team))
            try roundTrip(Teams_V1_AddPlayerResponse(team: team))
            try roundTrip(Teams_V1_RemovePlayerResponse(team: team))
        }
        try roundTrip(Teams_V1_GetTeamResponse(team: nil))
    }

    func testStringsKeepEmptyAndNonASCIIValues() throws {
        for name in ["", "Zoë", "ФК Зенит", "⚽️ 東京", String(repeating: "é", count: 100)] {
            try roundTrip(Teams_V1_CreateTeamRequest(name: name, idempotencyKey: name))
            try roundTrip(Teams_V1_GetTeamResponse(team: team(players: 2, name: name)))
            try roundTrip(Teams_V1_AddPlayerRequest(teamID: name, player: .init(name: name, position: .st)))
        }
    }

    func testRequestsRoundTrip() throws {
        try roundTrip(Teams_V1_GetTeamRequest(id: id))
        try roundTrip(Teams_V1_RenameTeamRequest(id: id, name: "B", expectedVersion: .max))
        try roundTrip(Teams_V1_DeleteTeamRequest(id: id, expectedVersion: 3))
        try roundTrip(Teams_V1_AddPlayerRequest(teamID: "x", player: .init(name: "p", position: .gk), expectedVersion: 1))
        try roundTrip(Teams_V1_RemovePlayerRequest(teamID: "x", player: .init(name: "p", position: .mid), expectedVersion: 0))
        try roundTrip(Teams_V1_AddPlayerRequest(teamID: "x", player: nil))
        try roundTrip(Teams_V1_SearchTeamsRequest(term: "real", pageSize: 500, pageToken: "abc"))
        try roundTrip(Teams_V1_WatchEventsRequest(fromSequence: 42))
        try roundTrip(Teams_V1_CheckRequest())
        try roundTrip(Teams_V1_ListMethodsRequest())
    }

    func testResponsesRoundTrip() throws {
        try roundTrip(Teams_V1_DeleteTeamResponse())
        try roundTrip(Teams_V1_SearchTeamsResponse(teams: [], nextPageToken: ""))
        try roundTrip(Teams_V1_SearchTeamsResponse(teams: (0..<50).map { team(players: $0 % 12, name: "T\($0)") }, nextPageToken: "next"))
        try roundTrip(Teams_V1_CheckResponse(status: .serving, store: "sqlite:data/teams.sqlite"))
        try roundTrip(Teams_V1_CheckResponse(status: .notServing, store: ""))
        try roundTrip(Teams_V1_ListMethodsResponse(methods: [.init(name: "/a/B", serverStreaming: true), .init(name: "/a/C", serverStreaming: false)]))
    }

    func testEventsRoundTripEveryKind() throws {
        let kinds: [Teams_V1_TeamEvent.Kind] = [.teamCreated, .teamRenamed, .teamDeleted, .playerAdded, .playerRemoved]
        for (index, kind) in kinds.enumerated() {
            try roundTrip(Teams_V1_TeamEvent(
                sequence: UInt64(index + 1), kind: kind, teamID: id, version: 9, teamName: "A",
                player: .init(name: "P", position: .def), occurredAtMs: 1_700_000_000_000))
        }
    }

    func testOpenEnumsKeepNumbersTheyDoNotName() throws {
        // Player{name: "p", position: 9}, and a negative number (10 bytes as a varint).
        XCTAssertEqual(try Teams_V1_Player(decoding: [0x0a, 0x01, 0x70, 0x10, 0x09]).position, .unrecognized(9))
        try roundTrip(Teams_V1_Player(name: "p", position: .unrecognized(9)))
        try roundTrip(Teams_V1_Player(name: "p", position: .unrecognized(-1)))
        XCTAssertEqual(Teams_V1_Position(rawValue: 4), .st)
        XCTAssertEqual(Teams_V1_Position.unrecognized(77).rawValue, 77)
    }

    func testGarbageDoesNotDecode() {
        for bytes: [UInt8] in [[0xff], [0x0a, 0x05, 0x41], [0x0a], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]] {
            XCTAssertThrowsError(try Teams_V1_GetTeamRequest(decoding: bytes), "\(bytes)") { error in
                guard case .malformed = error as? WireError else { return XCTFail("\(error)") }
            }
        }
    }

    func testInvalidUTF8IsMalformed() {
        // GetTeamRequest{id: 0xff 0xfe 'X'}
        XCTAssertThrowsError(try Teams_V1_GetTeamRequest(decoding: [0x0a, 0x03, 0xff, 0xfe, 0x58])) { error in
            XCTAssertEqual(error as? WireError, .malformed("a string field is not valid UTF-8"))
        }
    }

    func testEmptyBytesAreTheDefaultMessage() throws {
        XCTAssertEqual(try Teams_V1_GetTeamRequest(decoding: []), Teams_V1_GetTeamRequest(id: ""))
        XCTAssertEqual(try Teams_V1_GetTeamResponse(decoding: []), Teams_V1_GetTeamResponse(team: nil))
        XCTAssertEqual(try Teams_V1_DeleteTeamResponse(decoding: []), Teams_V1_DeleteTeamResponse())
    }

    func testEncodingMatchesProtobufBytes() throws {
        // GetTeamRequest{id: "ab"} is field 1, wire type 2, length 2.
        XCTAssertEqual(try Teams_V1_GetTeamRequest(id: "ab").encodedBytes(), [0x0a, 0x02, 0x61, 0x62])
        // proto3 omits default values.
        XCTAssertEqual(try Teams_V1_RenameTeamRequest(id: "", name: "", expectedVersion: 0).encodedBytes(), [])
        XCTAssertEqual(try Teams_V1_CheckResponse(status: .serving).encodedBytes(), [0x08, 0x01])
    }

    func testLargeMessagesSpillPastTheInlineArena() throws {
        let teams = (0..<500).map { team(players: 30, name: String(repeating: "n", count: 100) + "\($0)") }
        try roundTrip(Teams_V1_SearchTeamsResponse(teams: teams, nextPageToken: "t"))
    }

    /// 4 MiB of one repeated 2-byte field unpacks into far more than the arena
    /// allows (a scan record, an unknown-field record and its copy per field).
    func testAFrameOfRepeatedFieldsIsTooLargeNotACrash() {
        let bytes = (0..<(4 << 20)).map { $0 % 2 == 0 ? UInt8(0x78) : UInt8(0) }  // field 15, varint 0
        XCTAssertThrowsError(try Teams_V1_GetTeamRequest(decoding: bytes)) { error in
            guard case .tooLarge = error as? WireError else { return XCTFail("\(error)") }
        }
    }
}
