@testable import TeamsDynamoDBStore
import TeamsDomain
import XCTest

/// How a cancelled transaction's reasons are read when no item's own condition failed.
final class TransactionContentionTests: XCTestCase {
    typealias Contention = TransactionContention

    func testCancellationReasonsAreClassified() {
        XCTAssertEqual(Contention(["None", "None", "ConditionalCheckFailed"]), .lostRace, "the counter's condition: another writer went first")
        XCTAssertEqual(Contention(["None", "TransactionConflict", "None"]), .conflict)
        XCTAssertEqual(Contention(["TransactionConflict", "ThrottlingError"]), .throttled, "throttling wins: slow down first")
        XCTAssertEqual(Contention(["ProvisionedThroughputExceeded"]), .throttled)
        XCTAssertEqual(Contention([]), .lostRace)
    }

    /// Lost races retry within milliseconds; conflicts and throttling back off up to seconds.
    func testThrottlingAndConflictsBackOffLongerThanALostRace() {
        let longest: (Contention) -> Duration = { $0.backoff.delay(forAttempt: 40, random: { 1 }) }
        XCTAssertEqual(longest(.lostRace), .milliseconds(50))
        XCTAssertEqual(longest(.conflict), .seconds(1))
        XCTAssertEqual(longest(.throttled), .seconds(5))
        XCTAssertLessThan(Contention.throttled.backoff.delay(forAttempt: 2, random: { 1 }), .seconds(1), "the first pauses are short")
    }
}
