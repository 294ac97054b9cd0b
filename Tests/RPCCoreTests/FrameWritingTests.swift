import NIOCore
import RPCCore
import XCTest

final class FrameWritingTests: XCTestCase {
    func testControlFramesHaveTheirDocumentedLayout() {
        var buffer = ByteBuffer()
        writeCancelFrame(callID: 9, into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 6, 4, 0, 0, 0, 0, 9])
        buffer.clear()
        writeGoAwayFrame(RPCError(.unavailable, "ab"), into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 11, 5, 0, 0, 0, 0, 0, 14, 0, 2, 0x61, 0x62])
    }

    func testAStreamMessageFrameCarriesTheEncodedMessage() throws {
        var buffer = ByteBuffer()
        let message = Metadata.Message(entries: [.init(key: "k", value: "v")])
        try writeStreamMessageFrame(callID: 3, message: message, into: &buffer)
        let encoded = try message.encodedBytes()
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, UInt8(6 + encoded.count), 3, 0, 0, 0, 0, 3] + encoded)
    }
}
