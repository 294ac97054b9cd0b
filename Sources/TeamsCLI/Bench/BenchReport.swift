import Foundation
import Histogram

/// The summary `teams bench` prints. The JSON keys match Benchmarks/' gRPC driver,
/// so one script can compare both.
struct BenchReport: Encodable {
    /// Microseconds, from the run's HDR histogram.
    struct Latency: Encodable {
        var min: Double
        var avg: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double

        init(_ histogram: Histogram<UInt64>) {
            min = Double(histogram.min)
            avg = histogram.mean
            p50 = Double(histogram.valueAtPercentile(50))
            p90 = Double(histogram.valueAtPercentile(90))
            p99 = Double(histogram.valueAtPercentile(99))
            p999 = Double(histogram.valueAtPercentile(99.9))
            max = Double(histogram.max)
        }
    }

    /// One operation's share of a mixed run.
    struct OperationResult: Encodable {
        var calls: Int
        var throughputPerSecond: Double
        var latency: Latency
        var errors: [String: Int]

        init(_ stats: CallStats, seconds: Double) {
            calls = stats.calls
            throughputPerSecond = Double(stats.calls) / seconds
            latency = Latency(stats.histogram)
            errors = Dictionary(uniqueKeysWithValues: stats.errors.map { ("\($0.key)", $0.value) })
        }

        enum CodingKeys: String, CodingKey {
            case calls, errors
            case throughputPerSecond = "throughput_per_s"
            case latency = "latency_us"
        }
    }

    var target: String
    /// When measuring began, ISO 8601 in UTC.
    var startedAt: String
    /// The --server addresses.
    var servers: [String]
    var clientVersion: String
    /// What the server reports of its build; nil when it does not say.
    var serverVersion: String?
    var mix: String
    var connections: Int
    var inFlight: Int?
    var rate: Double?
    var durationSeconds: Double
    var calls: Int
    var throughputPerSecond: Double
    /// Microseconds.
    var latency: Latency
    var errors: [String: Int]
    /// By operation, as named in --mix.
    var operations: [String: OperationResult]
    var bytesSentPerCall: Double
    var bytesReceivedPerCall: Double
    /// Bytes per call beyond the protobuf payloads (GetTeam-only runs).
    var framingBytesPerCall: Double?
    var clientCPUMicrosecondsPerCall: Double
    var serverCPUMicrosecondsPerCall: Double?
    /// Bytes the server read and wrote per call, from /proc: the same measure for any protocol.
    var serverSocketBytesPerCall: Double?
    /// How the client kept the calls going while servers restarted (whole run, warm-up included).
    var reconnects = 0
    var retries = 0
    var transparentRetries = 0
    var keepaliveTimeouts = 0
    /// With --check-writes: creates and added players the server acknowledged, and how many of them
    /// were not found when read back after the run.
    var writesAcknowledged: Int?
    var writesMissing: Int?
    /// With --compare: this run's figures beside a saved run's.
    var comparison: BenchComparison?

    enum CodingKeys: String, CodingKey {
        case target, servers, mix, connections, rate, calls, errors, operations, comparison
        case startedAt = "started_at"
        case clientVersion = "client_version"
        case serverVersion = "server_version"
        case inFlight = "in_flight"
        case durationSeconds = "duration_s"
        case throughputPerSecond = "throughput_per_s"
        case latency = "latency_us"
        case bytesSentPerCall = "bytes_sent_per_call"
        case bytesReceivedPerCall = "bytes_received_per_call"
        case framingBytesPerCall = "framing_bytes_per_call"
        case clientCPUMicrosecondsPerCall = "client_cpu_us_per_call"
        case serverCPUMicrosecondsPerCall = "server_cpu_us_per_call"
        case serverSocketBytesPerCall = "server_socket_bytes_per_call"
        case reconnects, retries
        case transparentRetries = "transparent_retries"
        case keepaliveTimeouts = "keepalive_timeouts"
        case writesAcknowledged = "writes_acknowledged"
        case writesMissing = "writes_missing"
    }

    /// The operations in a stable order: as `Workload.Operation` lists them.
    var orderedOperations: [(name: String, result: OperationResult)] {
        Workload.Operation.allCases.compactMap { operation in operations[operation.rawValue].map { (operation.rawValue, $0) } }
    }

    func print(json: Bool) {
        if json { return Output.emit(self) }
        var lines = [
            "",
            String(format: "%@ calls in %.1f s: %.0f calls/s  (%d connections, %@, mix %@)", Bench.grouped(calls), durationSeconds, throughputPerSecond, connections,
                   rate.map { String(format: "open loop at %.0f/s", $0) } ?? "\(inFlight ?? 0) in flight each", mix),
            String(format: "latency µs   min %.0f   avg %.0f   p50 %.0f   p90 %.0f   p99 %.0f   p99.9 %.0f   max %.0f",
                   latency.min, latency.avg, latency.p50, latency.p90, latency.p99, latency.p999, latency.max),
            String(format: "wire bytes   %.1f sent + %.1f received per call", bytesSentPerCall, bytesReceivedPerCall)
                + (framingBytesPerCall.map { String(format: "  (framing %.1f)", $0) } ?? ""),
            String(format: "cpu µs/call  client %.2f", clientCPUMicrosecondsPerCall) + (serverCPUMicrosecondsPerCall.map { String(format: "   server %.2f", $0) } ?? ""),
        ]
        lines.append("errors       " + Self.describe(errors))
        lines.append("client       \(reconnects) reconnects, \(retries) retries, \(transparentRetries) transparent retries, \(keepaliveTimeouts) keepalive timeouts")
        if let writesAcknowledged, let writesMissing {
            lines.append("writes       \(writesAcknowledged) acknowledged, \(writesMissing) missing when read back")
        }
        if operations.count > 1 {
            lines.append("")
            lines += Output.table(
                ["OPERATION", "CALLS", "CALLS/S", "MIN", "AVG", "P50", "P90", "P99", "MAX µs", "ERRORS"],
                orderedOperations.map { name, result in
                    [name, Bench.grouped(result.calls), String(format: "%.0f", result.throughputPerSecond)]
                        + [result.latency.min, result.latency.avg, result.latency.p50, result.latency.p90, result.latency.p99, result.latency.max].map { String(format: "%.0f", $0) }
                        + [Self.describe(result.errors)]
                })
        }
        lines.append("")
        lines.append("started \(startedAt), servers \(servers.joined(separator: ",")), teams \(clientVersion), server \(serverVersion ?? "unknown")")
        if let comparison { lines += [""] + comparison.lines }
        Output.line(lines.joined(separator: "\n"))
    }

    /// One row per operation and one for the whole run, for spreadsheets (`--csv`).
    func csv() -> String {
        let header = "operation,calls,throughput_per_s,errors,min_us,avg_us,p50_us,p90_us,p99_us,p999_us,max_us"
        func row(_ name: String, _ calls: Int, _ throughput: Double, _ errors: [String: Int], _ latency: Latency) -> String {
            ([name, "\(calls)", String(format: "%.1f", throughput), "\(errors.values.reduce(0, +))"]
                + [latency.min, latency.avg, latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map { String(format: "%.1f", $0) })
                .joined(separator: ",")
        }
        let rows = orderedOperations.map { row($0.name, $0.result.calls, $0.result.throughputPerSecond, $0.result.errors, $0.result.latency) }
        return ([header] + rows + [row("all", calls, throughputPerSecond, errors, latency)]).joined(separator: "\n")
    }

    /// `none`, or `NOT_FOUND 3, UNAVAILABLE 1`.
    static func describe(_ errors: [String: Int]) -> String {
        errors.isEmpty ? "none" : errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
