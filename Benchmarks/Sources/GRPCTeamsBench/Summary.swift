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
    /// Client resource use over the measured window, when it could be sampled.
    let resources: (ResourceSample, ResourceSample)?

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

    /// Exactly the keys `teams bench --json` prints, in the same order.
    func json() -> String {
        let latency = latencies.map { "\"\($0.key)\": \(format($0.micros, 1))" }.joined(separator: ", ")
        let errors = sortedErrors.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        return """
            {"target": "grpc", "mix": "\(mix)", "connections": \(connections), "in_flight": \(inFlight), \
            "duration_s": \(format(duration, 1)), "calls": \(result.calls), "throughput_per_s": \(format(throughput, 1)), \
            "latency_us": {\(latency)}, "errors": {\(errors)}}
            """
    }

    func text() -> String {
        let latency = latencies.map { "\($0.label) \(format($0.micros, 1))" }.joined(separator: "  ")
        let errors = sortedErrors.isEmpty ? "none" : sortedErrors.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """
            grpc-teams-bench: grpc \(target), mix \(mix), \(connections) connections x \(inFlight) in flight, \
            \(format(duration, 1)) s measured after \(format(warmup, 1)) s warmup
              calls        \(result.calls)
              throughput   \(format(throughput, 1)) calls/s
              latency µs   \(latency)
              errors       \(errors)
            """
    }

    /// Client CPU and socket bytes per call over the measured window (stderr; not part of the JSON keys).
    func clientLine() -> String {
        guard let (start, end) = resources, result.calls > 0 else { return "client: no resource sample" }
        let calls = Double(result.calls)
        var line = "client: cpu \(format((end.cpuMicroseconds - start.cpuMicroseconds) / calls, 2)) µs/call"
        if let r0 = start.bytesRead, let r1 = end.bytesRead, let w0 = start.bytesWritten, let w1 = end.bytesWritten {
            let sent = Double(w1 &- w0) / calls
            let received = Double(r1 &- r0) / calls
            line += ", bytes/call sent \(format(sent, 1)) received \(format(received, 1)) (read/write syscalls, approx.)"
        }
        return line
    }
}
