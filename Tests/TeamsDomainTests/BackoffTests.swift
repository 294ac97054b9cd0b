import TeamsDomain
import XCTest

final class BackoffTests: XCTestCase {
    func testCeilingsGrowByTheMultiplierUpToTheMax() {
        let backoff = Backoff(base: .milliseconds(25), max: .seconds(1), jitter: .none)
        XCTAssertEqual(backoff.ceiling(forAttempt: 0), .milliseconds(25))
        XCTAssertEqual(backoff.ceiling(forAttempt: 1), .milliseconds(50))
        XCTAssertEqual(backoff.ceiling(forAttempt: 2), .milliseconds(100))
        XCTAssertEqual(backoff.ceiling(forAttempt: 5), .milliseconds(800))
        XCTAssertEqual(backoff.ceiling(forAttempt: 6), .seconds(1))
        XCTAssertEqual(Backoff(base: .milliseconds(1), multiplier: 3, max: .seconds(1)).ceiling(forAttempt: 3), .milliseconds(27))
    }

    func testHugeAttemptsAndDurationsSaturateInsteadOfOverflowing() {
        let backoff = Backoff(base: .milliseconds(25), max: .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: 200), .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: .max), .seconds(1))
        let unbounded = Backoff(base: .seconds(1), max: .seconds(Int64.max))
        XCTAssertEqual(unbounded.ceiling(forAttempt: .max), .nanoseconds(Int64.max))
        XCTAssertEqual(unbounded.delay(forAttempt: .max, random: { 1 }), .nanoseconds(Int64.max))
    }

    func testDegenerateSettingsStayAtTheBase() {
        XCTAssertEqual(Backoff(base: .milliseconds(5), max: .seconds(1)).ceiling(forAttempt: -3), .milliseconds(5))
        XCTAssertEqual(Backoff(base: .milliseconds(5), multiplier: 1, max: .seconds(1)).ceiling(forAttempt: 10), .milliseconds(5))
        XCTAssertEqual(Backoff(base: .zero, max: .seconds(1)).ceiling(forAttempt: .max), .zero)
        XCTAssertEqual(Backoff(base: .seconds(5), max: .seconds(1)).ceiling(forAttempt: 0), .seconds(1), "the max wins over the base")
        XCTAssertEqual(Backoff(base: .seconds(-5), max: .seconds(1)).ceiling(forAttempt: 3), .zero)
    }

    func testNoJitterIsExactlyTheCeilingAndDrawsNothing() {
        let backoff = Backoff(base: .milliseconds(25), max: .seconds(1), jitter: .none)
        XCTAssertEqual(backoff.delay(forAttempt: 3, random: { XCTFail("no jitter draws no number"); return 0 }), .milliseconds(200))
    }

    func testFullJitterScalesTheCeilingByTheRandomFraction() {
        let backoff = Backoff(base: .milliseconds(100), max: .seconds(1))
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { 0 }), .zero)
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { 0.5 }), .milliseconds(100))
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { 1 }), .milliseconds(200))
        // Out-of-range fractions are clamped, NaN counts as 0.
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { 7 }), .milliseconds(200))
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { -1 }), .zero)
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { .nan }), .zero)
    }

    func testRealJitterStaysWithinTheCeilingAndSpreads() {
        let backoff = Backoff(base: .milliseconds(1), max: .milliseconds(20))
        var seen = Set<Duration>()
        for _ in 0..<1000 {
            let delay = backoff.delay(forAttempt: 3)
            XCTAssertGreaterThanOrEqual(delay, .zero)
            XCTAssertLessThanOrEqual(delay, .milliseconds(8))
            seen.insert(delay)
        }
        XCTAssertGreaterThan(seen.count, 100, "jitter should spread the delays")
    }

    /// The schedules the stores used before they shared `Backoff`, kept exactly.
    func testReproducesTheSchedulesItReplaced() {
        // DynamoDB batch operations: min(1000, 25 << min(round, 6)) ms, no jitter.
        let unprocessed = Backoff(base: .milliseconds(25), max: .seconds(1), jitter: .none)
        for round in 1...12 {
            XCTAssertEqual(unprocessed.delay(forAttempt: round), .milliseconds(min(1000, 25 << min(round, 6))), "round \(round)")
        }
        // DynamoDB sequenced writer: up to min(50_000, 500 << min(contended, 7)) µs.
        let contention = Backoff(base: .microseconds(500), max: .milliseconds(50))
        for contended in 2...12 {
            XCTAssertEqual(contention.ceiling(forAttempt: contended), .microseconds(min(50_000, 500 << min(contended, 7))), "contended \(contended)")
        }
        // The interactor's default retry policy: up to min(20 ms, 200 µs × 2^attempt).
        let retry = RetryPolicy.default
        XCTAssertEqual(retry.baseDelay, .microseconds(200))
        XCTAssertEqual(retry.maxDelay, .milliseconds(20))
        for attempt in 0..<64 {
            XCTAssertEqual(retry.backoff.ceiling(forAttempt: attempt), min(Duration.milliseconds(20), Duration.microseconds(200) * (1 << min(attempt, 20))), "attempt \(attempt)")
        }
    }
}
