import NIOCore
@testable import RPCCore
import TeamsProto
import XCTest

final class ForeignProtocolTests: XCTestCase {
    let limit = FrameDecoder.defaultMaximumFrameLength

    func testTLSRecordsAndHTTPAreRecognised() {
        XCTAssertEqual(ForeignProtocol.recognize(ByteBuffer(bytes: [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]), maximumFrameLength: limit), .tls, "an alert")
        XCTAssertEqual(ForeignProtocol.recognize(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]), maximumFrameLength: limit), .tls, "a ClientHello")
        for start in ["HTTP/1.1 400 Bad Request\r\n", "GET / HTTP/1.1\r\n", "POST /x", "HEAD /", "PUT /", "PRI * HTTP/2.0"] {
            XCTAssertEqual(ForeignProtocol.recognize(ByteBuffer(string: start), maximumFrameLength: limit), .http, start)
        }
    }

    func testFramesAndShortStartsAreNot() {
        var frame = ByteBuffer()
        frame.writeMultipleIntegers(UInt32(6), FrameType.response.rawValue, UInt8(0), UInt32(1))
        XCTAssertNil(ForeignProtocol.recognize(frame, maximumFrameLength: limit))
        XCTAssertNil(ForeignProtocol.recognize(ByteBuffer(bytes: [0x16, 0x03, 0x01]), maximumFrameLength: limit), "needs 4 bytes")
        XCTAssertNil(ForeignProtocol.recognize(ByteBuffer(string: "HTTX"), maximumFrameLength: limit))
    }

    /// Under a limit high enough to allow such a length, the same bytes may be a frame.
    func testALengthWithinTheLimitIsAFrameWhateverItsBytes() {
        XCTAssertNil(ForeignProtocol.recognize(ByteBuffer(bytes: [0x15, 0x03, 0x01, 0x00]), maximumFrameLength: 1 << 30))
    }
}
