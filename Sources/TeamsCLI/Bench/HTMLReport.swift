import Foundation

/// One second of a measured run.
struct ThroughputSample: Sendable {
    /// Seconds since measuring began, at the end of this sample.
    var second: Double
    var callsPerSecond: Double
    var errorsPerSecond: Double
}

/// A self-contained HTML page of one `teams bench` run: the parameters and summary,
/// then three inline SVG plots (`id` `throughput`, `latency` and `status`). No
/// script and no external resource, so it opens anywhere and can be archived as is.
enum HTMLReport {
    /// - Parameters:
    ///   - timeline: throughput once a second while measuring.
    ///   - percentiles: latency in microseconds at percentiles from 0 to 100, from the HDR histogram.
    static func render(_ report: BenchReport, timeline: [ThroughputSample], percentiles: [(percentile: Double, microseconds: Double)]) -> String {
        let errorCount = report.errors.values.reduce(0, +)
        let statuses = [("OK", report.calls - errorCount)] + report.errors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var rows: [(String, String)] = [
            ("started", report.startedAt), ("servers", report.servers.joined(separator: ", ")),
            ("teams (client)", report.clientVersion), ("server", report.serverVersion ?? "did not say"),
            ("target", report.target), ("mix", report.mix), ("connections", "\(report.connections)"),
            report.rate.map { ("open-loop rate", String(format: "%.0f calls/s", $0)) } ?? ("in flight per connection", "\(report.inFlight ?? 0)"),
            ("measured", String(format: "%.1f s", report.durationSeconds)), ("calls", "\(report.calls)"),
            ("throughput", String(format: "%.0f calls/s", report.throughputPerSecond)),
            ("latency µs", String(format: "min %.0f · avg %.0f · p50 %.0f · p90 %.0f · p99 %.0f · p99.9 %.0f · max %.0f",
                report.latency.min, report.latency.avg, report.latency.p50, report.latency.p90, report.latency.p99, report.latency.p999, report.latency.max)),
            ("client CPU per call", String(format: "%.2f µs", report.clientCPUMicrosecondsPerCall)),
        ]
        if let server = report.serverCPUMicrosecondsPerCall { rows.append(("server CPU per call", String(format: "%.2f µs", server))) }
        rows.append(("wire bytes per call", String(format: "%.1f sent, %.1f received", report.bytesSentPerCall, report.bytesReceivedPerCall)))
        if let framing = report.framingBytesPerCall { rows.append(("framing per call", String(format: "%.1f bytes", framing))) }
        rows.append(("client", "\(report.reconnects) reconnects, \(report.retries) retries, \(report.transparentRetries) transparent retries"))

        let table = rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
        let operationRows = report.orderedOperations.map { name, result in
            let cells = [name, "\(result.calls)", String(format: "%.0f", result.throughputPerSecond)]
                + [result.latency.min, result.latency.avg, result.latency.p50, result.latency.p90, result.latency.p99, result.latency.max].map { String(format: "%.0f", $0) }
                + [BenchReport.describe(result.errors)]
            return "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>teams bench: \(escape(report.mix))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
            table { border-collapse: collapse; margin-bottom: 16px; } th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
            svg { display: block; margin: 8px 0 24px; background: #fafafa; border: 1px solid #ddd; }
            .series { fill: none; stroke: #1f77b4; stroke-width: 2; } .errors { stroke: #d62728; }
            .bar { fill: #1f77b4; } .axis { stroke: #444; } .grid { stroke: #e3e3e3; } text { font-size: 12px; fill: #333; }
            text.errors-label { fill: #d62728; }
            </style></head><body>
            <h1>teams bench: \(escape(report.mix))</h1>
            <table>
            \(table)
            </table>
            <h2>By operation</h2>
            <table id="operations">
            <tr><th>operation</th><th>calls</th><th>calls/s</th><th>min µs</th><th>avg µs</th><th>p50 µs</th><th>p90 µs</th><th>p99 µs</th><th>max µs</th><th>errors</th></tr>
            \(operationRows)
            </table>
            <h2>Throughput</h2>
            \(throughputPlot(timeline))
            <h2>Latency by percentile</h2>
            \(latencyPlot(percentiles))
            <h2>Calls by status</h2>
            \(statusPlot(statuses))
            </body></html>

            """
    }

    // The plot area inside each SVG, in pixels.
    private static let (width, height, left, top, plotWidth, plotHeight) = (900.0, 320.0, 70.0, 20.0, 800.0, 250.0)

    private static func throughputPlot(_ timeline: [ThroughputSample]) -> String {
        // A single sample still draws a line, from the start of the run.
        let samples = timeline.count == 1 ? [ThroughputSample(second: 0, callsPerSecond: timeline[0].callsPerSecond, errorsPerSecond: timeline[0].errorsPerSecond)] + timeline : timeline
        let maxX = max(0.001, samples.map(\.second).max() ?? 1)
        let maxY = niceMaximum(samples.map(\.callsPerSecond).max() ?? 0)
        func points(_ value: (ThroughputSample) -> Double) -> String {
            samples.map { point(x: $0.second / maxX, y: value($0) / maxY) }.joined(separator: " ")
        }
        var body = axes(id: "throughput", xTitle: "seconds", yTitle: "calls/s", xTicks: ticks(maxX), yTicks: linearTicks(maxY))
        body += "<polyline class=\"series\" points=\"\(points(\.callsPerSecond))\"/>"
        if samples.contains(where: { $0.errorsPerSecond > 0 }) {
            body += "<polyline class=\"series errors\" points=\"\(points(\.errorsPerSecond))\"/>"
            // A class, not a fill attribute: the stylesheet's `text` rule would override the attribute.
            body += String(format: "<text class=\"errors-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">errors/s</text>", left + plotWidth - 4, top + 14)
        }
        return body + "</svg>"
    }

    /// HdrHistogram's percentile plot: x is log10(1 / (1 - p)), so 90%, 99%, 99.9% … are evenly spaced,
    /// and y is logarithmic, so the body of the distribution is as readable as its tail.
    private static func latencyPlot(_ percentiles: [(percentile: Double, microseconds: Double)]) -> String {
        let decades = 5.0
        func x(_ percentile: Double) -> Double { log10(1 / (1 - min(percentile, 99.999) / 100)) / decades }
        let values = percentiles.map { max(1, $0.microseconds) }
        let low = floor(log10(values.min() ?? 1))
        let high = max(low + 1, ceil(log10(values.max() ?? 10)))
        func y(_ microseconds: Double) -> Double { (log10(max(1, microseconds)) - low) / (high - low) }
        // Decades, with 2× and 5× between them when there are only one or two decades to show.
        let steps: [Double] = high - low <= 2 ? [1, 2, 5] : [1]
        let yTicks = stride(from: low, through: high, by: 1).flatMap { decade in steps.map { pow(10, decade) * $0 } }
            .filter { log10($0) <= high }
            .map { (y($0), duration(microseconds: $0)) }
        let labels = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"].enumerated().map { (Double($0.offset) / decades, $0.element) }
        var body = axes(id: "latency", xTitle: "percentile", yTitle: "latency (log scale)", xTicks: labels, yTicks: yTicks)
        let line = (percentiles.count == 1 ? percentiles + percentiles : percentiles).map { point(x: x($0.percentile), y: y($0.microseconds)) }
        body += "<polyline class=\"series\" points=\"\(line.joined(separator: " "))\"/>"
        return body + "</svg>"
    }

    private static func statusPlot(_ statuses: [(String, Int)]) -> String {
        let maxY = niceMaximum(Double(statuses.map(\.1).max() ?? 0))
        var body = axes(id: "status", xTitle: "status", yTitle: "calls", xTicks: [], yTicks: linearTicks(maxY))
        let slot = plotWidth / Double(statuses.count)
        for (index, (status, count)) in statuses.enumerated() {
            let barHeight = Double(count) / maxY * plotHeight
            let x = left + Double(index) * slot + slot * 0.15
            body += String(format: "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>", x, top + plotHeight - barHeight, slot * 0.7, barHeight)
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@ %d</text>", x + slot * 0.35, top + plotHeight + 16, escape(status), count)
        }
        return body + "</svg>"
    }

    /// The SVG's opening, axes, grid lines with their y labels, and the x tick labels (both as fractions of the plot).
    private static func axes(id: String, xTitle: String, yTitle: String, xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var svg = String(format: "<svg class=\"plot\" id=\"%@\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">", id, width, height, width, height)
        for (fraction, label) in yTicks {
            let y = top + plotHeight * (1 - fraction)
            svg += String(format: "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, y, left + plotWidth, y)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>", left - 6, y + 4, escape(label))
        }
        for (fraction, label) in xTicks {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", left + fraction * plotWidth, top + plotHeight + 16, escape(label))
        }
        svg += String(format: "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, top + plotHeight, left + plotWidth, top + plotHeight)
        svg += String(format: "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, top, left, top + plotHeight)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", left + plotWidth / 2, height - 6, escape(xTitle))
        svg += String(format: "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%@</text>", top + plotHeight / 2, top + plotHeight / 2, escape(yTitle))
        return svg
    }

    private static func point(x: Double, y: Double) -> String {
        String(format: "%.1f,%.1f", left + x * plotWidth, top + plotHeight * (1 - min(1, max(0, y))))
    }

    /// Ticks at 1, 2 or 5 times a power of ten seconds, at most about ten of them (tenths for a run under a second).
    private static func ticks(_ maxX: Double) -> [(Double, String)] {
        let step = niceMaximum(maxX / 10)
        return stride(from: 0, through: maxX * 1.0001, by: step).map { ($0 / maxX, String(format: step < 1 ? "%.1f" : "%.0f", $0)) }
    }

    /// Five grid lines from 0 to `maximum`.
    private static func linearTicks(_ maximum: Double) -> [(Double, String)] {
        (0...4).map { (Double($0) / 4, compact(maximum * Double($0) / 4)) }
    }

    /// `1 µs`, `10 µs`, `100 µs`, `1 ms` … `1 s`: decades of latency.
    private static func duration(microseconds: Double) -> String {
        microseconds >= 1_000_000 ? String(format: "%.0f s", microseconds / 1_000_000)
            : microseconds >= 1_000 ? String(format: "%.0f ms", microseconds / 1_000) : String(format: "%.0f µs", microseconds)
    }

    /// 1, 2 or 5 times a power of ten at or above `value`; 1 for nothing to plot.
    private static func niceMaximum(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }

    /// 12.5k, 40k, 1.5M: tick labels short enough to fit.
    private static func compact(_ value: Double) -> String {
        func short(_ scaled: Double, _ unit: String) -> String {
            String(format: scaled == scaled.rounded() ? "%.0f%@" : "%.1f%@", scaled, unit)
        }
        return value >= 1_000_000 ? short(value / 1_000_000, "M") : value >= 1_000 ? short(value / 1_000, "k") : String(format: "%.0f", value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
