import NIOCore
import RPCCore
import XCTest

final class ResponseHeadTests: XCTestCase {
    func decodeFrame(_ buffer: ByteBuffer) throws -> Frame {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder())
        var frames: [Frame] = []
        try processor.process(buffer: buffer) { if case .frame(let frame) = $0 { frames.append(frame) } }
        XCTAssertEqual(frames.count, 1)
        return frames[0]
    }

    func testResponseHeadRoundTripsAndOKResponseFramingIsElevenBytes() throws {
        var buffer = ByteBuffer()
        try ResponseHead(status: .ok).writeFrame(callID: 9, into: &buffer) { $0.writeBytes([1, 2, 3]) }
        XCTAssertEqual(buffer.readableBytes, 11 + 3)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        XCTAssertEqual(try ResponseHead.read(flags: frame.flags, from: &body), ResponseHead(status: .ok))
        XCTAssertEqual(Array(body.readableBytesView), [1, 2, 3])

        buffer.clear()
        let error = ResponseHead(status: .notFound, message: "no team ⚽️", metadata: ["request-id": "r"])
        try error.writeFrame(callID: 10, into: &buffer)
        let errorFrame = try decodeFrame(buffer)
        body = errorFrame.body
        XCTAssertEqual(try ResponseHead.read(flags: errorFrame.flags, from: &body), error)
        XCTAssertEqual(body.readableBytes, 0)
    }

    func testLongStatusMessagesAreCutAtACharacterBoundary() throws {
        var buffer = ByteBuffer()
        let message = String(repeating: "é", count: 40_000)  // 80,000 bytes
        try ResponseHead(status: .internal, message: message).writeFrame(callID: 1, into: &buffer)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        let head = try ResponseHead.read(flags: frame.flags, from: &body)
        XCTAssertEqual(head.message.utf8.count, 65_534)
        XCTAssertTrue(message.hasPrefix(head.message))
    }

    func testAPayloadThatFailsLeavesNoPartialFrame() {
        var buffer = ByteBuffer(bytes: [7])
        XCTAssertThrowsError(try ResponseHead(status: .ok).writeFrame(callID: 1, into: &buffer) { buffer throws(RPCError) in
            buffer.writeBytes([1, 2, 3])
            throw RPCError(.resourceExhausted, "too large")
        })
        XCTAssertEqual(Array(buffer.readableBytesView), [7])
    }
}
