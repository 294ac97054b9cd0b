import RPCCore
import RPCTransportNIO
import TeamsProto
import XCTest

/// Bytes a well-behaved client would never send. Each fails one call, never the
/// connection (unless the stream cannot be resynchronised), and never the server.
final class BadInputTests: XCTestCase {
    var server: TestServer!

    override func setUp() async throws {
        server = try await TestServer.start(maximumFrameLength: 1024)
    }

    override func tearDown() async throws {
        await server.stop()
    }

    let check = Teams_V1_Health.Method.check.path

    func assertConnectionStillWorks(_ raw: RawConnection, file: StaticString = #filePath, line: UInt = #line) {
        raw.send(RawConnection.request(callID: 999, method: check, payload: []))
        let response = raw.readStatus()
        XCTAssertEqual(response?.callID, 999, file: file, line: line)
        XCTAssertEqual(response?.status, 0, file: file, line: line)
    }

    func testUnknownMethodIsUnimplementedAndTheConnectionSurvives() throws {
        let raw = try RawConnection(port: server.port)
        raw.send(RawConnection.request(callID: 1, method: "/" + Teams_V1_TeamService.wireService.name + "/Nope", payload: []))
        let response = try XCTUnwrap(raw.readStatus())
        XCTAssertEqual(response.status, StatusCode.unimplemented.rawValue)
        XCTAssertTrue(response.message.contains("/" + Teams_V1_TeamService.wireService.name + "/Nope"), response.message)
        assertConnectionStillWorks(raw)
    }

    func testUnboundMethodRefIsUnimplemented() throws {
        let raw = try RawConnection(port: server.port)
        raw.send([0, 0, 0, 8, 1, 0, 0, 0, 0, 3, 0, 7])
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.unimplemented.rawValue)
        assertConnectionStillWorks(raw)
    }

    func testUndecodablePayloadIsInvalidArgumentAndTheConnectionSurvives() throws {
        let raw = try RawConnection(port: server.port)
        raw.send(RawConnection.request(callID: 2, method: Teams_V1_TeamService.Method.getTeam.path, payload: [0x0a, 0x7f, 0x01]))
        let response = try XCTUnwrap(raw.readStatus())
        XCTAssertEqual(response.status, StatusCode.invalidArgument.rawValue)
        assertConnectionStillWorks(raw)
    }

    func testOversizedRequestIsResourceExhaustedOnItsCallIDAndTheConnectionSurvives() throws {
        let raw = try RawConnection(port: server.port)
        let payload = [UInt8](repeating: 0x41, count: 5000)
        raw.send(RawConnection.request(callID: 3, method: check, payload: payload))
        let response = try XCTUnwrap(raw.readStatus())
        XCTAssertEqual(response.callID, 3)
        XCTAssertEqual(response.status, StatusCode.resourceExhausted.rawValue)
        XCTAssertTrue(response.message.contains("1024"), response.message)
        assertConnectionStillWorks(raw)
    }

    func testTruncatedHeadFieldIsInvalidArgument() throws {
        let raw = try RawConnection(port: server.port)
        // flags say a deadline follows, but the frame ends after the method ref.
        raw.send([0, 0, 0, 8, 1, 0x02, 0, 0, 0, 4, 0, 1])
        let response = try XCTUnwrap(raw.readStatus())
        XCTAssertEqual(response.callID, 4)
        XCTAssertEqual(response.status, StatusCode.invalidArgument.rawValue)
        assertConnectionStillWorks(raw)
    }

    func testAFrameTypeOnlyServersSendIsRejected() throws {
        let raw = try RawConnection(port: server.port)
        raw.send([0, 0, 0, 7, 2, 0, 0, 0, 0, 5, 0])
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.invalidArgument.rawValue)
        assertConnectionStillWorks(raw)
    }

    func testALengthBelowTheMinimumGetsGoAwayAndAClose() throws {
        let raw = try RawConnection(port: server.port)
        raw.send([0, 0, 0, 2, 1, 0])
        let frame = try XCTUnwrap(raw.readFrame())
        XCTAssertEqual(frame.type, 5, "GOAWAY")
        XCTAssertEqual(frame.body.first, StatusCode.invalidArgument.rawValue)
        XCTAssertNil(raw.readFrame(), "then the server closes")
    }

    func testOtherConnectionsAreUnaffectedByABadOne() async throws {
        let bad = try RawConnection(port: server.port)
        bad.send([0, 0, 0, 1, 0xff])
        let client = try await server.client()
        let health = try await client.check()
        XCTAssertTrue(health.serving)
        await client.close()
    }

    func testRandomGarbageNeverCrashesTheServer() async throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let raw = try RawConnection(port: server.port)
            raw.send((0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let client = try await server.client()
        let health = try await client.check()
        XCTAssertTrue(health.serving)
        await client.close()
    }
}
