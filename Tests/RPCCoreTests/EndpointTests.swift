import RPCCore
import XCTest

final class EndpointTests: XCTestCase {
    func testAListOfEndpointsParses() throws {
        XCTAssertEqual(try Endpoint.list(parsing: "a:7070, 10.0.0.2:7071,[::1]:7072"), [
            Endpoint(host: "a", port: 7070), Endpoint(host: "10.0.0.2", port: 7071), Endpoint(host: "::1", port: 7072),
        ])
        XCTAssertEqual(Endpoint(host: "::1", port: 1).description, "[::1]:1")
    }

    func testBadListsAreRejectedNamingThePart() {
        for bad in ["", "a", "a:", ":7070", "a:0", "a:70000", "a:x", "a:1,", "a:1,a:1"] {
            XCTAssertThrowsError(try Endpoint.list(parsing: bad), bad)
        }
        do {
            _ = try Endpoint.list(parsing: "a:1,b")
        } catch {
            XCTAssertEqual(error, .invalid("b"))
        }
    }
}

final class RetryThrottleTests: XCTestCase {
    func testRetriesStopBelowHalfTheTokensAndSuccessesEarnThemBack() {
        var throttle = RetryThrottle()
        XCTAssertEqual((0..<6).map { _ in throttle.recordFailure() }, [true, true, true, true, false, false])
        for _ in 0..<20 { throttle.recordSuccess() }  // 4 + 2.0 = 6 tokens
        XCTAssertTrue(throttle.tokens > 5)
        XCTAssertFalse(throttle.recordFailure(), "one failure takes it back to 5")
    }
}
