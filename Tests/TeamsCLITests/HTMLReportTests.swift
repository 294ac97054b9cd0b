import XCTest

@testable import TeamsCLI

final class HTMLReportTests: XCTestCase {
    func testTheErrorsLabelIsRedThroughItsClass() {
        let html = HTMLReport.render(
            .sample(), timeline: [.init(second: 1, callsPerSecond: 900, errorsPerSecond: 100), .init(second: 1.4, callsPerSecond: 800, errorsPerSecond: 50)],
            percentiles: [(50, 100), (99, 1000)])
        XCTAssertTrue(html.contains("<text class=\"errors-label\""), "the label carries the class")
        XCTAssertTrue(html.contains("text.errors-label { fill: #d62728; }"), "which outranks the `text` rule")
        XCTAssertFalse(html.contains("fill=\"#d62728\""), "no fill attribute, which CSS would override")
    }

    /// The last, partial second is a sample like the others: it ends the throughput line.
    func testTheThroughputLineReachesTheLastSample() throws {
        let html = HTMLReport.render(
            .sample(), timeline: [.init(second: 1, callsPerSecond: 1000, errorsPerSecond: 0), .init(second: 1.5, callsPerSecond: 500, errorsPerSecond: 0)],
            percentiles: [(50, 100)])
        let points = try XCTUnwrap(Self.points(of: "throughput", in: html))
        XCTAssertEqual(points.count, 2)
        XCTAssertEqual(points.last?.x ?? 0, 870, accuracy: 0.1, "the last sample is at the right edge of the plot")
    }

    /// A run under a second draws its one sample, from the start, on an axis in tenths.
    func testARunUnderASecondDrawsALine() throws {
        let html = HTMLReport.render(.sample(), timeline: [.init(second: 0.4, callsPerSecond: 2000, errorsPerSecond: 0)], percentiles: [(50, 100)])
        XCTAssertEqual(try XCTUnwrap(Self.points(of: "throughput", in: html)).count, 2)
        XCTAssertTrue(html.contains(">0.2</text>"), "ticks in tenths of a second")
    }

    /// Latency is plotted on a log scale: a tenfold step is the same height anywhere.
    func testTheLatencyAxisIsLogarithmic() throws {
        let html = HTMLReport.render(.sample(), timeline: [], percentiles: [(0, 10), (50, 100), (90, 1000), (99, 10000)])
        let points = try XCTUnwrap(Self.points(of: "latency", in: html)).map(\.y)
        XCTAssertEqual(points[0] - points[1], points[1] - points[2], accuracy: 0.2)
        XCTAssertEqual(points[1] - points[2], points[2] - points[3], accuracy: 0.2)
        for label in ["10 µs", "100 µs", "1 ms", "10 ms"] { XCTAssertTrue(html.contains(">\(label)</text>"), label) }
    }

    func testTheOperationsTableListsEachOperation() {
        var report = BenchReport.sample()
        var stats = CallStats()
        stats.record(.notFound, microseconds: 50)
        report.operations = ["get": .init(stats, seconds: 1), "create": .init(CallStats(), seconds: 1)]
        let html = HTMLReport.render(report, timeline: [], percentiles: [(50, 100)])
        let table = html[html.range(of: "<table id=\"operations\">")!.upperBound...]
        XCTAssertLessThan(table.range(of: "<td>get</td>")!.lowerBound, table.range(of: "<td>create</td>")!.lowerBound, "in --mix's order of operations")
        XCTAssertTrue(table.contains("<td>NOT_FOUND 1</td>"))
    }

    /// The `points` of the first polyline in the plot with this id.
    static func points(of plot: String, in html: String) -> [(x: Double, y: Double)]? {
        guard let start = html.range(of: "id=\"\(plot)\"") else { return nil }
        let rest = html[start.upperBound...]
        guard let open = rest.range(of: "points=\""), let close = rest[open.upperBound...].firstIndex(of: "\"") else { return nil }
        return rest[open.upperBound..<close].split(separator: " ").map { pair in
            let numbers = pair.split(separator: ",").compactMap { Double($0) }
            return (numbers[0], numbers[1])
        }
    }
}

extension BenchReport {
    static func sample() -> BenchReport {
        var histogram = CallStats()
        histogram.record(.ok, microseconds: 100)
        return BenchReport(
            target: "teams", startedAt: "2026-12-07T08:00:00Z", servers: ["127.0.0.1:7070"], clientVersion: "1.0.0", serverVersion: nil,
            mix: "get=100", connections: 1, inFlight: 1, rate: nil, durationSeconds: 1, calls: 1, throughputPerSecond: 1,
            latency: .init(histogram.histogram), errors: [:], operations: [:], bytesSentPerCall: 10, bytesReceivedPerCall: 10,
            framingBytesPerCall: nil, clientCPUMicrosecondsPerCall: 1, serverCPUMicrosecondsPerCall: nil, serverSocketBytesPerCall: nil)
    }
}
