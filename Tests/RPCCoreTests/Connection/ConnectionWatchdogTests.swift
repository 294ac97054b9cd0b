import NIOCore
@testable import RPCCore
import XCTest

final class ConnectionWatchdogTests: XCTestCase {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func watchdog() -> ConnectionWatchdog {
        ConnectionWatchdog(frameReadTimeout: .seconds(20), idleTimeout: .seconds(60), minimumPingInterval: .seconds(10), now: start)
    }

    func testAFrameLeftIncompleteTooLongBreaksTheFrameReadTimeout() {
        var watchdog = watchdog()
        watchdog.read(at: start)
        watchdog.readEnded(insideFrame: true)
        watchdog.read(at: start + .seconds(15))
        watchdog.readEnded(insideFrame: true)
        XCTAssertNil(watchdog.violation(at: start + .seconds(19), callsInFlight: true), "counted from the frame's first byte")
        XCTAssertEqual(watchdog.violation(at: start + .seconds(20), callsInFlight: true), .frameReadTimeout(.seconds(20)))
        watchdog.read(at: start + .seconds(20))
        watchdog.readEnded(insideFrame: false)
        XCTAssertNil(watchdog.violation(at: start + .seconds(30), callsInFlight: true), "the frame was completed")
    }

    func testAConnectionWithNoCallsAndNothingReadIsIdle() {
        var watchdog = watchdog()
        watchdog.read(at: start + .seconds(5))
        XCTAssertNil(watchdog.violation(at: start + .seconds(64), callsInFlight: false))
        XCTAssertEqual(watchdog.violation(at: start + .seconds(65), callsInFlight: false), .idle(.seconds(60)))
        XCTAssertNil(watchdog.violation(at: start + .seconds(65), callsInFlight: true), "a call in flight is not idleness")
        let endless = ConnectionWatchdog(frameReadTimeout: .seconds(20), idleTimeout: nil, minimumPingInterval: .seconds(10), now: start)
        XCTAssertNil(endless.violation(at: start + .hours(100), callsInFlight: false))
    }

    func testTheThirdPingTooSoonInARowIsOneTooMany() {
        var watchdog = watchdog()
        for second in [0, 1, 2] {
            watchdog.read(at: start + .seconds(Int64(second)))
            XCTAssertNil(watchdog.pinged(), "ping at \(second) s")
        }
        watchdog.read(at: start + .seconds(3))
        XCTAssertEqual(watchdog.pinged(), .tooManyPings)
        XCTAssertEqual(ConnectionWatchdog.Violation.tooManyPings.error, RPCError(.resourceExhausted, "too many pings"))
    }

    func testPingsFarEnoughApartAreNeverStrikes() {
        var watchdog = watchdog()
        for second in stride(from: 0, to: 100, by: 10) {
            watchdog.read(at: start + .seconds(Int64(second)))
            XCTAssertNil(watchdog.pinged())
        }
        // One too soon starts counting again from there.
        watchdog.read(at: start + .seconds(101))
        XCTAssertNil(watchdog.pinged())
    }

    func testItIsCheckedEveryHalfOfTheShorterLimit() {
        XCTAssertEqual(watchdog().checkInterval, .seconds(10))
        XCTAssertEqual(ConnectionWatchdog(frameReadTimeout: .seconds(20), idleTimeout: .seconds(4), minimumPingInterval: .seconds(1)).checkInterval, .seconds(2))
        XCTAssertNil(ConnectionWatchdog(frameReadTimeout: .zero, idleTimeout: nil, minimumPingInterval: .seconds(1)).checkInterval)
        XCTAssertEqual(ConnectionWatchdog.Violation.frameReadTimeout(.seconds(1)).rejection, .badStream)
        XCTAssertNil(ConnectionWatchdog.Violation.idle(.seconds(1)).rejection, "idleness is not the peer's fault")
    }
}
