import TeamsDomain
import XCTest

final class RetryPolicyTests: XCTestCase {
    /// The interactor's default: up to min(20 ms, 200 µs × 2^attempt), fully jittered.
    func testTheDefaultScheduleDoublesFrom200MicrosecondsTo20Milliseconds() {
        let retry = RetryPolicy.default
        XCTAssertEqual(retry.baseDelay, .microseconds(200))
        XCTAssertEqual(retry.maxDelay, .milliseconds(20))
        XCTAssertEqual(retry.backoff.jitter, .full)
        for attempt in 0..<64 {
            XCTAssertEqual(retry.backoff.ceiling(forAttempt: attempt), min(Duration.milliseconds(20), Duration.microseconds(200) * (1 << min(attempt, 20))), "attempt \(attempt)")
        }
    }
}
