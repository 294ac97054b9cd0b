@testable import RPCCore
import XCTest

final class ConnectionLifecycleTests: XCTestCase {
    func testAConnectionIsOpenThenAuthenticatedThenDrainingThenClosed() {
        var lifecycle = ConnectionLifecycle()
        XCTAssertEqual(lifecycle.state, .open)
        XCTAssertTrue(lifecycle.acceptsCalls)
        XCTAssertTrue(lifecycle.authenticated())
        XCTAssertEqual(lifecycle.state, .authenticated)
        XCTAssertTrue(lifecycle.acceptsCalls)
        XCTAssertFalse(lifecycle.authenticated(), "named once")
        XCTAssertTrue(lifecycle.drain())
        XCTAssertEqual(lifecycle.state, .draining)
        XCTAssertFalse(lifecycle.acceptsCalls)
        XCTAssertTrue(lifecycle.close())
        XCTAssertEqual(lifecycle.state, .closed)
        XCTAssertFalse(lifecycle.acceptsCalls)
    }

    func testEachEventHappensOnce() {
        var lifecycle = ConnectionLifecycle()
        XCTAssertTrue(lifecycle.drain())
        XCTAssertFalse(lifecycle.drain(), "a second GOAWAY is not sent")
        XCTAssertFalse(lifecycle.authenticated(), "a caller named while draining changes nothing")
        XCTAssertEqual(lifecycle.state, .draining)
        XCTAssertTrue(lifecycle.close())
        XCTAssertFalse(lifecycle.close())
        XCTAssertFalse(lifecycle.drain(), "a closed connection does not drain")
        XCTAssertFalse(lifecycle.authenticated())
        XCTAssertEqual(lifecycle.state, .closed)
    }

    func testAnOpenConnectionCanCloseAtOnce() {
        var lifecycle = ConnectionLifecycle()
        XCTAssertTrue(lifecycle.close())
        XCTAssertEqual(lifecycle.state, .closed)
    }
}
