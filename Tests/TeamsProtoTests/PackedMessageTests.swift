import NIOCore
import RPCCore
import TeamsProto
import TeamsSupport
import XCTest

/// The generated `PackedMessage` encoders against protoc-c's own packing of the same
/// messages: byte for byte, for random values of every field type the protos use.
final class PackedMessageTests: XCTestCase {
    /// A fixed seed, so a failure repeats.
    var random = SplitMix64(seed: 13)

    func assertPacksAsProtobufC<M: PackedMessage & CBridgedMessage>(_ message: M, file: StaticString = #filePath, line: UInt = #line) throws {
        var packed = ByteBuffer()
        try message.encode(into: &packed)
        var reference = ByteBuffer()
        try message.packWithProtobufC(into: &reference)
        XCTAssertEqual(Array(packed.readableBytesView), Array(reference.readableBytesView), "\(message)", file: file, line: line)
        XCTAssertEqual(packed.readableBytes, message.packedSize, file: file, line: line)
    }

    // MARK: Random values: often the default (left out), sometimes the extremes.

    func string() -> String {
        let pieces = ["", "a", "Ajax", "Zoë", "ФК Зенит", "⚽️ 東京", String(repeating: "x", count: 127), String(repeating: "é", count: 200)]
        return pieces.randomElement(using: &random)!
    }

    func uint64() -> UInt64 {
        [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max, random.next()].randomElement(using: &random)!
    }

    func int64() -> Int64 { Int64(bitPattern: uint64()) }

    func rawEnum() -> Int32 {
        // Named values, an unnamed one, and a negative one (ten bytes on the wire).
        [0, 1, 2, 3, 4, 99, -1, Int32.min].randomElement(using: &random)!
    }

    func player() -> Teams_V1_Player {
        Teams_V1_Player(name: string(), position: Teams_V1_Position(rawValue: rawEnum()))
    }

    func team() -> Teams_V1_Team {
        let count = [0, 1, 11, 30].randomElement(using: &random)!
        return Teams_V1_Team(id: string(), name: string(), players: (0..<count).map { _ in player() }, version: uint64())
    }

    func optionalTeam() -> Teams_V1_Team? { Bool.random(using: &random) ? team() : nil }

    func testEveryMessageTypePacksAsProtobufCDoes() throws {
        for _ in 0..<300 {
            try assertPacksAsProtobufC(player())
            try assertPacksAsProtobufC(team())
            try assertPacksAsProtobufC(Teams_V1_GetTeamResponse(team: optionalTeam()))
            try assertPacksAsProtobufC(Teams_V1_CreateTeamRequest(name: string(), idempotencyKey: string()))
            try assertPacksAsProtobufC(Teams_V1_RenameTeamRequest(id: string(), name: string(), expectedVersion: uint64()))
            try assertPacksAsProtobufC(Teams_V1_AddPlayerRequest(teamID: string(), player: Bool.random(using: &random) ? player() : nil, expectedVersion: uint64()))
            try assertPacksAsProtobufC(Teams_V1_SearchTeamsRequest(term: string(), pageSize: UInt32(truncatingIfNeeded: uint64()), pageToken: string()))
            try assertPacksAsProtobufC(Teams_V1_SearchTeamsResponse(teams: (0..<Int.random(in: 0...3, using: &random)).map { _ in team() }, nextPageToken: string()))
            try assertPacksAsProtobufC(Teams_V1_TeamEvent(
                sequence: uint64(), kind: Teams_V1_TeamEvent.Kind(rawValue: rawEnum()), teamID: string(), version: uint64(),
                teamName: string(), player: Bool.random(using: &random) ? player() : nil, occurredAtMs: int64()))
            try assertPacksAsProtobufC(Teams_V1_CheckResponse(status: Teams_V1_CheckResponse.ServingStatus(rawValue: rawEnum()), store: string()))
            try assertPacksAsProtobufC(Teams_V1_ListMethodsResponse(methods: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Teams_V1_ListMethodsResponse.Method(name: string(), serverStreaming: Bool.random(using: &random))
            }))
            try assertPacksAsProtobufC(Teams_Rpc_V1_Metadata(entries: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Teams_Rpc_V1_Metadata.Entry(key: string(), value: string())
            }))
        }
    }

    func testMessagesWithEveryFieldAtItsDefaultPackToNothing() throws {
        XCTAssertEqual(try Teams_V1_Team().encodedBytes(), [])
        XCTAssertEqual(try Teams_V1_TeamEvent().encodedBytes(), [])
        XCTAssertEqual(try Teams_V1_ListMethodsRequest().encodedBytes(), [])
        // A message field that is set is present even when empty: key, then length 0.
        XCTAssertEqual(try Teams_V1_GetTeamResponse(team: Teams_V1_Team()).encodedBytes(), [0x0a, 0x00])
    }

    /// The one place the bytes differ on purpose: protoc-c's C string stops at a NUL,
    /// protobuf's string does not.
    func testAStringHoldingNULIsWrittenWhole() throws {
        XCTAssertEqual(try Teams_V1_GetTeamRequest(id: "a\u{0}b").encodedBytes(), [0x0a, 0x03, 0x61, 0x00, 0x62])
        var reference = ByteBuffer()
        try Teams_V1_GetTeamRequest(id: "a\u{0}b").packWithProtobufC(into: &reference)
        XCTAssertEqual(Array(reference.readableBytesView), [0x0a, 0x01, 0x61])
    }

    func testVarintSizesAtEachByteBoundary() {
        for (value, size) in [(UInt64(0), 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3), (UInt64(1) << 63 - 1, 9), (UInt64.max, 10)] {
            XCTAssertEqual(ProtobufSize.varint(value), size, "\(value)")
        }
    }

    func testAnEncodingPastTheLimitIsTooLargeAndWritesNothing() throws {
        let message = Teams_V1_CreateTeamRequest(name: String(repeating: "n", count: Arena.encodingLimit))
        var buffer = ByteBuffer(string: "kept")
        XCTAssertThrowsError(try message.encode(into: &buffer)) { error in
            guard case .tooLarge = error as? WireError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(String(buffer: buffer), "kept")
    }
}
