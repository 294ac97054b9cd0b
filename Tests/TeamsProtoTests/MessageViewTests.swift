import RPCCore
import TeamsProto
import XCTest

/// The generated `View`s read the same values in place that decoding copies out.
final class MessageViewTests: XCTestCase {
    /// Lends `body` the view of `message`'s encoding as protoc-c unpacks it.
    func withView<M: CBridgedMessage & PackedMessage, R>(of message: M, _ body: (M.View) throws -> R) throws -> R {
        let bytes = try message.encodedBytes()
        let result = bytes.withUnsafeBytes { raw in M.withUnpacked(raw) { unpacked in Result { try body(M.View(unpacked)) } } }
        return try result.get().get()
    }

    func testEveryKindOfFieldReadsAsDecodingReadsIt() throws {
        let team = Teams_V1_Team(
            id: "9m4e2mr0ui3e8a215n4g", name: "Zoë FC",
            players: [.init(name: "Ann", position: .gk), .init(name: "Bea", position: .unrecognized(-7))], version: 1 << 40)
        try withView(of: team) { view in
            XCTAssertEqual(try view.id.string(), team.id)
            XCTAssertEqual(Array(view.name.utf8), Array(team.name.utf8))
            XCTAssertEqual(view.version, team.version)
            XCTAssertEqual(view.players.map { try? $0.name.string() }, ["Ann", "Bea"])
            XCTAssertEqual(view.players.map(\.position), [.gk, .unrecognized(-7)])
            XCTAssertEqual(try view.message(), team)
        }
        let request = Teams_V1_AddPlayerRequest(teamID: "x", player: .init(name: "Cy", position: .st), expectedVersion: 3)
        try withView(of: request) { view in
            XCTAssertEqual(try view.player?.name.string(), "Cy")
            XCTAssertEqual(view.player?.position, .st)
            XCTAssertEqual(view.expectedVersion, 3)
        }
    }

    func testFieldsLeftOutReadAsTheirDefaults() throws {
        try withView(of: Teams_V1_AddPlayerRequest()) { view in
            XCTAssertEqual(view.teamID.utf8.count, 0)
            XCTAssertEqual(try view.teamID.string(), "")
            XCTAssertNil(view.player)
            XCTAssertEqual(view.expectedVersion, 0)
        }
        try withView(of: Teams_V1_Team()) { XCTAssertTrue($0.players.isEmpty) }
    }

    func testTextThatIsNotUTF8IsLentAsBytesAndRefusedAsAString() throws {
        // Field 1 (id), length 2: a lone continuation byte and a truncated sequence.
        let bytes: [UInt8] = [0x0A, 0x02, 0x80, 0xC3]
        let result = bytes.withUnsafeBytes { raw in
            Teams_V1_GetTeamRequest.withUnpacked(raw) { unpacked in
                let view = Teams_V1_GetTeamRequest.View(unpacked)
                return (Array(view.id.utf8), Result { () throws(WireError) in try view.id.string() })
            }
        }
        let (utf8, string) = try result.get()
        XCTAssertEqual(utf8, [0x80, 0xC3])
        XCTAssertThrowsError(try string.get())
        XCTAssertThrowsError(try Teams_V1_GetTeamRequest(decoding: bytes), "decoding refuses what the view lends")
    }

    func testBytesThatAreNotTheMessageAreRefusedBeforeAnyView() {
        let result = [0x0A, 0x05, 0x61].withUnsafeBytes { raw in Teams_V1_GetTeamRequest.withUnpacked(raw) { _ in XCTFail("lent a view") } }
        guard case .failure(.malformed) = result else { return XCTFail("\(result)") }
    }
}
