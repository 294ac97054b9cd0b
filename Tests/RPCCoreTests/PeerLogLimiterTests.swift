import Logging
import NIOCore
@testable import RPCCore
import XCTest

final class PeerLogLimiterTests: XCTestCase {
    func testABurstThenTheRefillRateAndTheDroppedAreCounted() {
        let limiter = PeerLogLimiter(burst: 3, linesPerSecond: 2)
        let start = NIODeadline.now()
        XCTAssertEqual((0..<5).map { _ in limiter.admit(at: start) }, [0, 0, 0, nil, nil], "a burst of 3, then nothing")
        XCTAssertNil(limiter.admit(at: start + .milliseconds(400)), "0.8 of a line refilled")
        XCTAssertEqual(limiter.admit(at: start + .milliseconds(500)), 3, "one line refilled; it says 3 were dropped")
        XCTAssertNil(limiter.admit(at: start + .milliseconds(500)))
        XCTAssertEqual(limiter.admit(at: start + .seconds(60)), 1, "refilled, never beyond the burst")
        XCTAssertEqual(limiter.admit(at: start + .seconds(60)), 0)
        XCTAssertEqual(limiter.admit(at: start + .seconds(60)), 0)
        XCTAssertNil(limiter.admit(at: start + .seconds(60)))
    }

    func testLinesBelowTheLoggersLevelCostNoToken() {
        let limiter = PeerLogLimiter(burst: 1, linesPerSecond: 0)
        var quiet = Logger(label: "test")
        quiet.logLevel = .error
        for _ in 0..<10 { limiter.log(quiet, level: .notice, "dropped by level", metadata: [:]) }
        XCTAssertEqual(limiter.admit(at: .now()), 0, "the token is still there")
    }
}
