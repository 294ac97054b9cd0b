import Foundation
import TeamsSupport
import XCTest

final class UTCTimestampTests: XCTestCase {
    private let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    func testKnownTimes() {
        XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: 1_764_684_000_123), "2025-12-02T14:00:00.123Z")
        XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: 951_782_400_000), "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: -1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: 253_402_300_799_999), "9999-12-31T23:59:59.999Z")
    }

    /// Every day of four centuries, at a random millisecond, reads as Foundation writes it.
    func testAgreesWithFoundationOnEveryDayOfFourCenturies() {
        var random = SplitMix64(seed: 28)
        let firstDay: Int64 = -25_567  // 1900-01-01
        for day in firstDay..<(firstDay + 146_097) {
            let milliseconds = day * 86_400_000 + Int64(random.next() % 86_400_000)
            // A quarter into the millisecond, so rounding and truncating agree.
            let date = Date(timeIntervalSince1970: (Double(milliseconds) + 0.25) / 1000)
            XCTAssertEqual(UTCTimestamp.text(unixMilliseconds: milliseconds), date.formatted(foundation), "\(milliseconds) ms")
        }
    }
}
