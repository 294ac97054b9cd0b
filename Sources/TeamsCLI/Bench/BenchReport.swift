import Foundation
import Histogram

/// The summary `teams bench` prints. The JSON keys match Benchmarks/' gRPC driver,
/// so one script can compare both.
struct BenchReport: Encodable {
    struct Latency: Encodable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double

        init(_ histogram: Histogram<UInt64>) {
            p50 = Double(histogram.valueAtPercentile(50))
            p90 = Double(histogram.valueAtPercentile(90))
            p99 = Double(histogram.valueAtPercentile(99))
            p999 = Double(histogram.valueAtPercentile(99.9))
            max = Double(histogram.max)
        }
    }

    var target: String
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

    enum CodingKeys: String, CodingKey {
        case target, mix, connections, rate, calls, errors
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

    func print(json: Bool) {
        if json { return Output.emit(self) }
        var lines = [
            "",
            String(format: "%@ calls in %.1f s: %.0f calls/s  (%d connections, %@, mix %@)", Bench.grouped(calls), durationSeconds, throughputPerSecond, connections,
                   rate.map { String(format: "open loop at %.0f/s", $0) } ?? "\(inFlight ?? 0) in flight each", mix),
            String(format: "latency µs   p50 %.0f   p90 %.0f   p99 %.0f   p99.9 %.0f   max %.0f", latency.p50, latency.p90, latency.p99, latency.p999, latency.max),
            String(format: "wire bytes   %.1f sent + %.1f received per call", bytesSentPerCall, bytesReceivedPerCall)
                + (framingBytesPerCall.map { String(format: "  (framing %.1f)", $0) } ?? ""),
            String(format: "cpu µs/call  client %.2f", clientCPUMicrosecondsPerCall) + (serverCPUMicrosecondsPerCall.map { String(format: "   server %.2f", $0) } ?? ""),
        ]
        lines.append(errors.isEmpty ? "errors       none" : "errors       " + errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("client       \(reconnects) reconnects, \(retries) retries, \(transparentRetries) transparent retries, \(keepaliveTimeouts) keepalive timeouts")
        if let writesAcknowledged, let writesMissing {
            lines.append("writes       \(writesAcknowledged) acknowledged, \(writesMissing) missing when read back")
        }
        Output.line(lines.joined(separator: "\n"))
    }
}
