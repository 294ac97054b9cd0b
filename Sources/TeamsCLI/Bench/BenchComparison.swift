import Foundation

/// This run's figures beside a saved run's (`teams bench --compare old.json`), each
/// with its ratio, so a regression shows at a glance. Figures are read from both
/// runs' JSON by key, so a run saved by an older `teams` (or by Benchmarks/' gRPC
/// driver) compares on the figures it has.
struct BenchComparison: Encodable {
    struct Figure: Encodable {
        var name: String
        var before: Double
        var now: Double
        /// now / before.
        var ratio: Double
        /// `better`, `worse`, or `same` within ±5 %.
        var verdict: String
    }

    /// The saved run's file and when it was measured, if it says.
    var file: String
    var savedStartedAt: String?
    var figures: [Figure]

    enum CodingKeys: String, CodingKey {
        case file, figures
        case savedStartedAt = "saved_started_at"
    }

    /// A change smaller than this is noise on a shared machine.
    static let threshold = 0.05

    /// Name, JSON key path, and whether more is better.
    private static let overall: [(String, [String], Bool)] = [
        ("calls/s", ["throughput_per_s"], true),
        ("latency min µs", ["latency_us", "min"], false),
        ("latency avg µs", ["latency_us", "avg"], false),
        ("latency p50 µs", ["latency_us", "p50"], false),
        ("latency p90 µs", ["latency_us", "p90"], false),
        ("latency p99 µs", ["latency_us", "p99"], false),
        ("latency p99.9 µs", ["latency_us", "p999"], false),
        ("latency max µs", ["latency_us", "max"], false),
        ("client cpu µs/call", ["client_cpu_us_per_call"], false),
        ("server cpu µs/call", ["server_cpu_us_per_call"], false),
        ("bytes sent/call", ["bytes_sent_per_call"], false),
        ("bytes received/call", ["bytes_received_per_call"], false),
    ]

    /// Reads a saved run: a JSON object as `teams bench --json` prints it.
    static func load(_ path: String) throws(BenchError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalid("--compare \(path): cannot read the file") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["throughput_per_s"] is NSNumber else {
            throw .invalid("--compare \(path): not a saved run (expected the JSON object `teams bench --json` prints)")
        }
        return object
    }

    init(saved: [String: Any], file: String, now: [String: Any]) {
        self.file = file
        savedStartedAt = saved["started_at"] as? String
        var paths = Self.overall
        let operations = Set(((saved["operations"] as? [String: Any]) ?? [:]).keys).intersection(((now["operations"] as? [String: Any]) ?? [:]).keys)
        if operations.count > 1 {
            for operation in Workload.Operation.allCases.map(\.rawValue) where operations.contains(operation) {
                paths.append(("\(operation) calls/s", ["operations", operation, "throughput_per_s"], true))
                paths.append(("\(operation) p50 µs", ["operations", operation, "latency_us", "p50"], false))
                paths.append(("\(operation) p99 µs", ["operations", operation, "latency_us", "p99"], false))
            }
        }
        figures = paths.compactMap { name, path, moreIsBetter in
            guard let before = Self.number(in: saved, at: path), let current = Self.number(in: now, at: path), before > 0 else { return nil }
            let ratio = current / before
            let improved = moreIsBetter ? ratio > 1 : ratio < 1
            let verdict = abs(ratio - 1) <= Self.threshold ? "same" : improved ? "better" : "worse"
            return Figure(name: name, before: before, now: current, ratio: ratio, verdict: verdict)
        }
    }

    private static func number(in object: [String: Any], at path: [String]) -> Double? {
        var value: Any? = object
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? NSNumber)?.doubleValue
    }

    /// A table for the text report.
    var lines: [String] {
        ["compared with \(file)" + (savedStartedAt.map { " (measured \($0))" } ?? "")]
            + Output.table(["FIGURE", "BEFORE", "NOW", "RATIO", ""], figures.map { figure in
                [figure.name, Self.format(figure.before), Self.format(figure.now), String(format: "%.2f×", figure.ratio), figure.verdict == "same" ? "" : figure.verdict]
            })
    }

    private static func format(_ value: Double) -> String {
        value >= 100 ? Bench.grouped(Int(value.rounded())) : String(format: "%.2f", value)
    }
}
