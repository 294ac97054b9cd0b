import TeamsSupport
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
        XCTAssertEqual(Backoff(base: .seconds(1), multiplier: 1.6, max: .seconds(120)).ceiling(forAttempt: 2), .milliseconds(2560))
    }

    func testHugeAttemptsAndDurationsSaturateInsteadOfOverflowing() {
        let backoff = Backoff(base: .milliseconds(25), max: .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: 200), .seconds(1))
        XCTAssertEqual(backoff.ceiling(forAttempt: .max), .seconds(1))
        let unbounded = Backoff(base: .seconds(1), max: .seconds(Int64.max))
        XCTAssertEqual(unbounded.ceiling(forAttempt: .max), .nanoseconds(Int64.max))
        XCTAssertEqual(unbounded.delay(forAttempt: .max, random: { 1 }), .nanoseconds(Int64.max))
        XCTAssertEqual(Backoff(base: .seconds(1), max: .seconds(Int64.max), jitter: .proportional(0.2)).delay(forAttempt: .max, random: { 1 }), .nanoseconds(Int64.max))
        // A multiplier just above 1 still ends at once for any attempt number.
        XCTAssertEqual(Backoff(base: .seconds(1), multiplier: 1.000_001, max: .seconds(10)).ceiling(forAttempt: .max), .seconds(10))
    }

    func testDegenerateSettingsStayAtTheBase() {
        XCTAssertEqual(Backoff(base: .milliseconds(5), max: .seconds(1)).ceiling(forAttempt: -3), .milliseconds(5))
        XCTAssertEqual(Backoff(base: .milliseconds(5), multiplier: 1, max: .seconds(1)).ceiling(forAttempt: 10), .milliseconds(5))
        XCTAssertEqual(Backoff(base: .milliseconds(5), multiplier: 0.5, max: .seconds(1)).ceiling(forAttempt: 10), .milliseconds(5))
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

    func testGRPCsConnectionBackoffSpreadsEachCeilingByAFifthEitherWay() {
        let backoff = Backoff.connection
        XCTAssertEqual(backoff.delay(forAttempt: 0, random: { 0.5 }), .seconds(1))
        XCTAssertEqual(backoff.delay(forAttempt: 1, random: { 0.5 }), .milliseconds(1600))
        XCTAssertEqual(backoff.delay(forAttempt: 0, random: { 1 }), .milliseconds(1200))
        XCTAssertEqual(backoff.delay(forAttempt: 0, random: { 0 }), .milliseconds(800))
        XCTAssertEqual(backoff.delay(forAttempt: 40, random: { 0.5 }), .seconds(120))
        XCTAssertEqual(backoff.delay(forAttempt: 40, random: { 1 }), .seconds(144), "the spread may pass the max")
        XCTAssertEqual(Backoff(base: .seconds(1), max: .seconds(1), jitter: .proportional(3)).delay(forAttempt: 0, random: { 0 }), .zero, "never below zero")
    }

    func testRealJitterStaysWithinItsBoundsAndSpreads() {
        for (jitter, low, high) in [(Backoff.Jitter.full, Duration.zero, Duration.milliseconds(8)), (.proportional(0.2), .microseconds(6400), .microseconds(9600))] {
            let backoff = Backoff(base: .milliseconds(1), max: .milliseconds(20), jitter: jitter)
            var seen = Set<Duration>()
            for _ in 0..<1000 {
                let delay = backoff.delay(forAttempt: 3)
                XCTAssertGreaterThanOrEqual(delay, low)
                XCTAssertLessThanOrEqual(delay, high)
                seen.insert(delay)
            }
            XCTAssertGreaterThan(seen.count, 100, "jitter should spread the delays")
        }
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
    }
}
