import RPCCore
import XCTest

/// The checks the generated bridges leave to `CBridge`.
final class CBridgeTests: XCTestCase {
    func testStringsMustBeUTF8AndNullReadsAsEmpty() throws {
        XCTAssertEqual(try CBridge.string(nil), "")
        XCTAssertEqual(try "Zoë".withCString { try CBridge.string($0) }, "Zoë")
        let invalid: [CChar] = [-1, -2, 0]
        XCTAssertThrowsError(try invalid.withUnsafeBufferPointer { try CBridge.string($0.baseAddress) }) { error in
            XCTAssertEqual(error as? WireError, .malformed("a string field is not valid UTF-8"))
        }
    }

    func testARepeatedFieldWithoutItsArrayIsMalformed() {
        XCTAssertEqual(try CBridge.repeated(nil, count: 0) as [Metadata.Message.Entry], [])
        XCTAssertThrowsError(try CBridge.repeated(nil, count: 2) as [Metadata.Message.Entry])
    }
}
