import NIOCore
@testable import RPCCore
import XCTest

final class MetadataTests: XCTestCase {
    func testEntriesKeepTheirOrderAndRepeatsAndSurviveTheWire() throws {
        var metadata: Metadata = ["request-id": "r1", "k": ""]
        metadata.append("k", "second")
        XCTAssertEqual(metadata["k"], "")
        XCTAssertNil(metadata["missing"])
        var buffer = ByteBuffer()
        try metadata.write(into: &buffer)
        XCTAssertEqual(try Metadata.read(from: &buffer), metadata)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testACutShortOrUndecodableBlockIsInvalidArgument() {
        for bytes: [UInt8] in [[0], [0, 5, 0x0a], [0, 1, 0xff]] {
            var buffer = ByteBuffer(bytes: bytes)
            XCTAssertThrowsError(try Metadata.read(from: &buffer), "\(bytes)") { error in
                XCTAssertEqual((error as? RPCError)?.code, .invalidArgument)
            }
        }
    }
}
