import XCTest

@testable import TeamsCLI

final class BenchComparisonTests: XCTestCase {
    func testEachFigureHasItsRatioAndVerdict() throws {
        let saved: [String: Any] = ["throughput_per_s": 1000, "latency_us": ["p50": 100, "p99": 400], "client_cpu_us_per_call": 2.0, "started_at": "then"]
        let now: [String: Any] = ["throughput_per_s": 800, "latency_us": ["p50": 102, "p99": 200], "client_cpu_us_per_call": 2.0]
        let comparison = BenchComparison(saved: saved, file: "old.json", now: now)
        let figures = Dictionary(uniqueKeysWithValues: comparison.figures.map { ($0.name, $0) })
        XCTAssertEqual(figures["calls/s"]?.ratio ?? 0, 0.8, accuracy: 1e-9)
        XCTAssertEqual(figures["calls/s"]?.verdict, "worse", "fewer calls per second")
        XCTAssertEqual(figures["latency p50 µs"]?.verdict, "same", "within 5 %")
        XCTAssertEqual(figures["latency p99 µs"]?.verdict, "better", "lower latency")
        XCTAssertNil(figures["server cpu µs/call"], "a figure only one run has is left out")
        XCTAssertEqual(comparison.savedStartedAt, "then")
        XCTAssertTrue(comparison.lines.contains { $0.hasPrefix("calls/s") && $0.hasSuffix("worse") }, "\(comparison.lines)")
    }

    func testOperationsAreComparedInMixedRuns() {
        let operations: [String: Any] = ["get": ["throughput_per_s": 10, "latency_us": ["p50": 1, "p99": 2]], "create": ["throughput_per_s": 5, "latency_us": ["p50": 1, "p99": 2]]]
        let run: [String: Any] = ["throughput_per_s": 15, "operations": operations]
        let names = BenchComparison(saved: run, file: "f", now: run).figures.map(\.name)
        XCTAssertTrue(names.contains("get calls/s") && names.contains("create p99 µs"), "\(names)")
    }

    func testASavedRunMustBeAReport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("x.json")
        try Data("[1, 2]".utf8).write(to: file)
        XCTAssertThrowsError(try BenchComparison.load(file.path)) { error in
            XCTAssertTrue("\(error)".contains("not a saved run"), "\(error)")
        }
        XCTAssertThrowsError(try BenchComparison.load(folder.appendingPathComponent("missing.json").path)) { error in
            XCTAssertTrue("\(error)".contains("cannot read the file"), "\(error)")
        }
    }
}
