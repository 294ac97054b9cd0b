import NIOCore
import TeamsRPC
import TeamsWire
import XCTest

final class CallEnvelopeTests: XCTestCase {
    func decodeFrame(_ buffer: ByteBuffer) throws -> Frame {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder())
        var frames: [Frame] = []
        try processor.process(buffer: buffer) { if case .frame(let frame) = $0 { frames.append(frame) } }
        XCTAssertEqual(frames.count, 1)
        return frames[0]
    }

    func testRequestHeadRoundTripsEveryOptionalField() throws {
        let head = RequestHead(methodRef: 3, methodName: "/teams.v1.TeamService/GetTeam", timeoutMilliseconds: 1500, metadata: ["request-id": "abc", "x": "ÿ"])
        var buffer = ByteBuffer()
        head.writeFrame(callID: 42, payload: GetTeamRequest(id: "id"), into: &buffer)
        let frame = try decodeFrame(buffer)
        XCTAssertEqual(frame.type, .request)
        XCTAssertEqual(frame.callID, 42)
        var body = frame.body
        XCTAssertEqual(try RequestHead.read(flags: frame.flags, from: &body), head)
        XCTAssertEqual(try GetTeamRequest(decoding: body), GetTeamRequest(id: "id"))
    }

    func testSteadyStateRequestFramingIsTwelveBytes() throws {
        var buffer = ByteBuffer()
        let payload = GetTeamRequest(id: "9m4e2mr0ui3e8a215n4g")
        RequestHead(methodRef: 1, methodName: nil).writeFrame(callID: 1, payload: payload, into: &buffer)
        XCTAssertEqual(buffer.readableBytes - payload.encodedBytes().count, 12)
    }

    func testResponseHeadRoundTripsAndOKResponseFramingIsElevenBytes() throws {
        var buffer = ByteBuffer()
        ResponseHead(status: .ok).writeFrame(callID: 9, into: &buffer) { $0.writeBytes([1, 2, 3]) }
        XCTAssertEqual(buffer.readableBytes, 11 + 3)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        XCTAssertEqual(try ResponseHead.read(flags: frame.flags, from: &body), ResponseHead(status: .ok))
        XCTAssertEqual(Array(body.readableBytesView), [1, 2, 3])

        buffer.clear()
        let error = ResponseHead(status: .notFound, message: "no team ⚽️", metadata: ["request-id": "r"])
        error.writeFrame(callID: 10, into: &buffer)
        let errorFrame = try decodeFrame(buffer)
        body = errorFrame.body
        XCTAssertEqual(try ResponseHead.read(flags: errorFrame.flags, from: &body), error)
        XCTAssertEqual(body.readableBytes, 0)
    }

    func testTruncatedHeadFieldsAreInvalidArgument() {
        for (flags, bytes): (FrameFlags, [UInt8]) in [([], [0]), ([.methodName], [0, 1, 5, 0x2f]), ([.deadline], [0, 1, 0, 0]), ([.metadata], [0, 1, 0, 9, 0x0a])] {
            var body = ByteBuffer(bytes: bytes)
            XCTAssertThrowsError(try RequestHead.read(flags: flags, from: &body)) { error in
                XCTAssertEqual((error as? RPCError)?.code, .invalidArgument)
            }
        }
    }

    func testLongStatusMessagesAreCutAtACharacterBoundary() throws {
        var buffer = ByteBuffer()
        let message = String(repeating: "é", count: 40_000)  // 80,000 bytes
        ResponseHead(status: .internal, message: message).writeFrame(callID: 1, into: &buffer)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        let head = try ResponseHead.read(flags: frame.flags, from: &body)
        XCTAssertEqual(head.message.utf8.count, 65_534)
        XCTAssertTrue(message.hasPrefix(head.message))
    }
}
