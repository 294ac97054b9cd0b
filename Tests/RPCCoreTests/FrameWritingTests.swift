import NIOCore
import RPCCore
import XCTest

final class FrameWritingTests: XCTestCase {
    func testControlFramesHaveTheirDocumentedLayout() {
        var buffer = ByteBuffer()
        writeCancelFrame(callID: 9, into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 6, 4, 0, 0, 0, 0, 9])
        buffer.clear()
        writeGoAwayFrame(RPCError(.unavailable, "ab"), lastCallID: 7, into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 15, 5, 0, 0, 0, 0, 0, 14, 0, 0, 0, 7, 0, 2, 0x61, 0x62])
        buffer.clear()
        writeKeepaliveFrame(.ping, value: 0x0102_0304, into: &buffer)
        writeKeepaliveFrame(.pong, value: 5, into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 6, 6, 0, 1, 2, 3, 4, 0, 0, 0, 6, 7, 0, 0, 0, 0, 5])
    }

    func testAGoAwayReadsBackAsWritten() {
        var buffer = ByteBuffer()
        writeGoAwayFrame(RPCError(.resourceExhausted, "too many pings"), lastCallID: 41, into: &buffer)
        var body = buffer.getSlice(at: Frame.headerSize, length: buffer.readableBytes - Frame.headerSize)!
        XCTAssertEqual(GoAway.read(from: &body), GoAway(error: RPCError(.resourceExhausted, "too many pings"), lastCallID: 41))
        var short = ByteBuffer(bytes: [8])
        XCTAssertEqual(GoAway.read(from: &short), GoAway(error: RPCError(.resourceExhausted, ""), lastCallID: 0))
    }

    func testAStreamMessageFrameCarriesTheEncodedMessage() throws {
        var buffer = ByteBuffer()
        let message = Metadata.Message(entries: [.init(key: "k", value: "v")])
        try writeStreamMessageFrame(callID: 3, message: message, into: &buffer)
        let encoded = try message.encodedBytes()
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, UInt8(6 + encoded.count), 3, 0, 0, 0, 0, 3] + encoded)
    }
}
