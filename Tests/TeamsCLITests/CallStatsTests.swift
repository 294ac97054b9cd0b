import RPCCore
import XCTest

@testable import TeamsCLI

final class CallStatsTests: XCTestCase {
    func testCallsAreCountedByOperationAndTogether() {
        var stats = OperationStats()
        stats.record(.get, .ok, microseconds: 100)
        stats.record(.get, .notFound, microseconds: 300)
        stats.record(.create, .ok, microseconds: 1000)
        var other = OperationStats()
        other.record(.create, .unavailable, microseconds: 2000)
        stats.add(other)

        XCTAssertEqual(stats.calls, 4)
        XCTAssertEqual(stats.errorCount, 2)
        XCTAssertEqual(stats.byOperation[.get]?.errors, [.notFound: 1])
        XCTAssertEqual(stats.byOperation[.create]?.calls, 2)
        let total = stats.total
        XCTAssertEqual(total.calls, 4)
        XCTAssertEqual(total.histogram.min, 100)
        XCTAssertEqual(total.histogram.max, 2000, accuracy: 2)
    }

    func testTheCSVHasARowPerOperationAndOneForAll() {
        var report = BenchReport.sample()
        var get = CallStats()
        get.record(.ok, microseconds: 100)
        report.operations = ["get": .init(get, seconds: 2), "search": .init(get, seconds: 2)]
        let rows = report.csv().split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.map { String($0[0]) }, ["operation", "get", "search", "all"])
        XCTAssertTrue(rows.allSatisfy { $0.count == rows[0].count }, "every row has every column")
        XCTAssertEqual(rows[1][2], "0.5", "throughput over the run's 2 s")
    }
}
