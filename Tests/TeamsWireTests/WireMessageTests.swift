import NIOCore
import TeamsDomain
import TeamsWire
import XCTest

/// Round trips through the protoc-c bridge. Run under `make test-asan` too: every
/// decode and encode must free what it allocated.
final class WireMessageTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!

    func roundTrip<M: WireMessage & Equatable>(_ message: M, file: StaticString = #filePath, line: UInt = #line) throws {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        XCTAssertEqual(try M(decoding: buffer), message, file: file, line: line)
        XCTAssertEqual(try M(decoding: message.encodedBytes()), message, file: file, line: line)
    }

    func team(players count: Int, name: String = "Ajax") -> Team {
        let positions = Position.allCases
        return Team(id: id, name: name, players: (0..<count).map { Player(name: "Player \($0) ñ", position: positions[$0 % 4]) }, version: 7)
    }

    func testTeamResponsesRoundTripWithZeroOneAndMaxPlayers() throws {
        for count in [0, 1, 11, TeamRules.default.squadLimit] {
            let team = team(players: count)
            try roundTrip(GetTeamResponse(team: team))
            try roundTrip(CreateTeamResponse(team: team))
            try roundTrip(RenameTeamResponse(team: team))
            try roundTrip(AddPlayerResponse(team: team))
            try roundTrip(RemovePlayerResponse(team: team))
        }
    }

    func testStringsKeepEmptyAndNonASCIIValues() throws {
        for name in ["", "Zoë", "ФК Зенит", "⚽️ 東京", String(repeating: "é", count: 100)] {
            try roundTrip(CreateTeamRequest(name: name, idempotencyKey: name))
            try roundTrip(GetTeamResponse(team: team(players: 2, name: name)))
            try roundTrip(AddPlayerRequest(teamID: name, player: PlayerSpec(name: name, position: .striker)))
        }
    }

    func testRequestsRoundTrip() throws {
        try roundTrip(GetTeamRequest(id: id.description))
        try roundTrip(RenameTeamRequest(id: id.description, name: "B", expectedVersion: .max))
        try roundTrip(DeleteTeamRequest(id: id.description, expectedVersion: 3))
        try roundTrip(AddPlayerRequest(teamID: "x", player: PlayerSpec(name: "p", position: .goalkeeper), expectedVersion: 1))
        try roundTrip(RemovePlayerRequest(teamID: "x", player: PlayerSpec(name: "p", position: .midfielder), expectedVersion: 0))
        try roundTrip(SearchTeamsRequest(term: "real", pageSize: 500, pageToken: "abc"))
        try roundTrip(WatchEventsRequest(fromSequence: 42))
        try roundTrip(CheckRequest())
        try roundTrip(ListMethodsRequest())
    }

    func testResponsesRoundTrip() throws {
        try roundTrip(DeleteTeamResponse())
        try roundTrip(SearchTeamsResponse(teams: [], nextPageToken: ""))
        try roundTrip(SearchTeamsResponse(teams: (0..<50).map { team(players: $0 % 12, name: "T\($0)") }, nextPageToken: "next"))
        try roundTrip(CheckResponse(serving: true, store: "sqlite:data/teams.sqlite"))
        try roundTrip(CheckResponse(serving: false, store: ""))
        try roundTrip(ListMethodsResponse(methods: [.init(name: "/a/B", serverStreaming: true), .init(name: "/a/C", serverStreaming: false)]))
        try roundTrip(MetadataMessage(entries: [("request-id", "r1"), ("k", ""), ("k", "second")]))
    }

    func testEventsRoundTripEveryKind() throws {
        let changes: [TeamEvent.Change] = [
            .teamCreated(name: "A"), .teamRenamed(name: "B"), .teamDeleted,
            .playerAdded(Player(name: "P", position: .defender)), .playerRemoved(Player(name: "Q", position: .striker)),
        ]
        for (index, change) in changes.enumerated() {
            try roundTrip(TeamEvent(sequence: UInt64(index + 1), teamID: id, version: 9, change: change, occurredAt: 1_700_000_000_000))
        }
    }

    func testMissingPositionDecodesAsNil() throws {
        let request = AddPlayerRequest(teamID: "x", player: PlayerSpec(name: "p", position: nil))
        XCTAssertNil(try AddPlayerRequest(decoding: request.encodedBytes()).player.position)
    }

    func testUnknownPositionInATeamIsMalformed() {
        // Team{id, name, players: [Player{name: "p", position: 9}]}: field 3, then Player field 2 = 9.
        let idBytes = Array(id.description.utf8)
        let player: [UInt8] = [0x0a, 0x01, 0x70, 0x10, 0x09]
        let teamBytes: [UInt8] = [0x0a, UInt8(idBytes.count)] + idBytes + [0x1a, UInt8(player.count)] + player
        let response: [UInt8] = [0x0a, UInt8(teamBytes.count)] + teamBytes
        XCTAssertThrowsError(try GetTeamResponse(decoding: response)) { error in
            XCTAssertEqual(error as? WireError, .malformed("player has unknown position 9"))
        }
    }

    func testGarbageDoesNotDecode() {
        for bytes: [UInt8] in [[0xff], [0x0a, 0x05, 0x41], [0x0a], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]] {
            XCTAssertThrowsError(try GetTeamRequest(decoding: bytes), "\(bytes)")
        }
        XCTAssertThrowsError(try GetTeamResponse(decoding: []), "a response without its team")
    }

    func testInvalidUTF8IsMalformed() {
        // GetTeamRequest{id: 0xff 0xfe 'X'}
        XCTAssertThrowsError(try GetTeamRequest(decoding: [0x0a, 0x03, 0xff, 0xfe, 0x58])) { error in
            XCTAssertEqual(error as? WireError, .malformed("a string field is not valid UTF-8"))
        }
    }

    func testEmptyBytesAreTheDefaultMessage() throws {
        XCTAssertEqual(try GetTeamRequest(decoding: []), GetTeamRequest(id: ""))
        XCTAssertEqual(try DeleteTeamResponse(decoding: []), DeleteTeamResponse())
    }

    func testEncodingMatchesProtobufBytes() {
        // GetTeamRequest{id: "ab"} is field 1, wire type 2, length 2.
        XCTAssertEqual(GetTeamRequest(id: "ab").encodedBytes(), [0x0a, 0x02, 0x61, 0x62])
        // proto3 omits default values.
        XCTAssertEqual(RenameTeamRequest(id: "", name: "", expectedVersion: 0).encodedBytes(), [])
    }

    func testLargeMessagesSpillPastTheInlineArena() throws {
        let teams = (0..<500).map { team(players: 30, name: String(repeating: "n", count: 100) + "\($0)") }
        try roundTrip(SearchTeamsResponse(teams: teams, nextPageToken: "t"))
    }

    func testServiceDescriptorsListEveryMethodWithItsTypes() {
        let paths = WireService.teamService.methods.map(\.path)
        XCTAssertEqual(paths, [
            "/teams.v1.TeamService/CreateTeam", "/teams.v1.TeamService/GetTeam", "/teams.v1.TeamService/RenameTeam",
            "/teams.v1.TeamService/DeleteTeam", "/teams.v1.TeamService/AddPlayer", "/teams.v1.TeamService/RemovePlayer",
            "/teams.v1.TeamService/SearchTeams", "/teams.v1.TeamService/WatchEvents",
        ])
        let getTeam = WireService.teamService.methods[1]
        XCTAssertEqual(getTeam.input, GetTeamRequest.wireType)
        XCTAssertEqual(getTeam.output, GetTeamResponse.wireType)
        XCTAssertEqual(GetTeamRequest.wireType.name, "teams.v1.GetTeamRequest")
        XCTAssertEqual(WireService.health.methods.map(\.path), ["/teams.v1.Health/Check", "/teams.v1.Health/ListMethods"])
    }
}
