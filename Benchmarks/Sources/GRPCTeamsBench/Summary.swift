import Histogram

/// The result of a run: what `--json` prints, and the same for people.
struct Summary {
    let mix: String
    let connections: Int
    let inFlight: Int
    let duration: Double
    let warmup: Double
    let target: String
    let result: WorkerResult
    /// Resource use over the measured window, when it could be sampled.
    let resources: (ResourceSample, ResourceSample)?
    /// Protobuf payload bytes of one GetTeam request and response; set for GetTeam-only mixes.
    let getTeamPayloadBytes: Int?

    var throughput: Double { Double(result.calls) / duration }

    /// p50, p90, p99, p99.9 and max, in microseconds.
    var latencies: [(key: String, label: String, micros: Double)] {
        let histogram = result.latency
        let empty = histogram.totalCount == 0
        func micros(_ nanoseconds: UInt64) -> Double { empty ? 0 : Double(nanoseconds) / 1000 }
        return [
            ("p50", "p50", micros(histogram.valueAtPercentile(50))),
            ("p90", "p90", micros(histogram.valueAtPercentile(90))),
            ("p99", "p99", micros(histogram.valueAtPercentile(99))),
            ("p999", "p99.9", micros(histogram.valueAtPercentile(99.9))),
            ("max", "max", micros(histogram.max)),
        ]
    }

    var sortedErrors: [(key: String, value: Int)] { result.errors.sorted { $0.key < $1.key } }

    /// Per-call costs over the measured window; nil where they could not be read.
    var perCall: (sent: Double?, received: Double?, framing: Double?, clientCPU: Double?, serverCPU: Double?) {
        guard let (start, end) = resources, result.calls > 0 else { return (nil, nil, nil, nil, nil) }
        let calls = Double(result.calls)
        var sent: Double?
        var received: Double?
        if let w0 = start.bytesWritten, let w1 = end.bytesWritten, let r0 = start.bytesRead, let r1 = end.bytesRead {
            sent = Double(w1 &- w0) / calls
            received = Double(r1 &- r0) / calls
        }
        var framing: Double?
        if let sent, let received, let payload = getTeamPayloadBytes { framing = sent + received - Double(payload) }
        var serverCPU: Double?
        if let s0 = start.serverCPUMicroseconds, let s1 = end.serverCPUMicroseconds { serverCPU = (s1 - s0) / calls }
        return (sent, received, framing, (end.cpuMicroseconds - start.cpuMicroseconds) / calls, serverCPU)
    }

    /// The keys `teams bench --json` prints (Sources/TeamsCLI/Bench/BenchReport.swift), sorted as it
    /// sorts them; optional ones are left out when unknown.
    func json() -> String {
        let costs = perCall
        var fields: [(String, String)] = [
            ("calls", "\(result.calls)"),
            ("connections", "\(connections)"),
            ("duration_s", format(duration, 1)),
            ("errors", "{" + sortedErrors.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"),
            ("in_flight", "\(inFlight)"),
            ("latency_us", "{" + latencies.map { "\"\($0.key)\": \(format($0.micros, 1))" }.joined(separator: ", ") + "}"),
            ("mix", "\"\(mix)\""),
            ("target", "\"grpc\""),
            ("throughput_per_s", format(throughput, 1)),
        ]
        if let value = costs.sent { fields.append(("bytes_sent_per_call", format(value, 1))) }
        if let value = costs.received { fields.append(("bytes_received_per_call", format(value, 1))) }
        if let value = costs.framing { fields.append(("framing_bytes_per_call", format(value, 1))) }
        if let value = costs.clientCPU { fields.append(("client_cpu_us_per_call", format(value, 2))) }
        if let value = costs.serverCPU { fields.append(("server_cpu_us_per_call", format(value, 2))) }
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    func text() -> String {
        let costs = perCall
        let latency = latencies.map { "\($0.label) \(format($0.micros, 1))" }.joined(separator: "  ")
        let errors = sortedErrors.isEmpty ? "none" : sortedErrors.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = [
            "grpc-teams-bench: grpc \(target), mix \(mix), \(connections) connections x \(inFlight) in flight, "
                + "\(format(duration, 1)) s measured after \(format(warmup, 1)) s warmup",
            "  calls        \(result.calls)",
            "  throughput   \(format(throughput, 1)) calls/s",
            "  latency µs   \(latency)",
        ]
        if let sent = costs.sent, let received = costs.received {
            lines.append("  wire bytes   \(format(sent, 1)) sent + \(format(received, 1)) received per call"
                + (costs.framing.map { "  (framing \(format($0, 1)))" } ?? "") + "  (read/write syscalls, approx.)")
        }
        if let client = costs.clientCPU {
            lines.append("  cpu µs/call  client \(format(client, 2))" + (costs.serverCPU.map { "   server \(format($0, 2))" } ?? ""))
        }
        lines.append("  errors       \(errors)")
        return lines.joined(separator: "\n")
    }
}
