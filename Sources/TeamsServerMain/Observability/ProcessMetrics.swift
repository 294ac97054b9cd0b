import Foundation
import Metrics
import Synchronization

/// The process's memory, file descriptors and CPU time, read from /proc when
/// `/metrics` is scraped (Prometheus' standard `process_*` names; swift-prometheus
/// has none of its own). Off Linux, nothing is recorded.
final class ProcessMetrics: Sendable {
    static let residentMemory = "process_resident_memory_bytes"
    static let virtualMemory = "process_virtual_memory_bytes"
    static let openFileDescriptors = "process_open_fds"
    static let maximumFileDescriptors = "process_max_fds"
    static let cpuSeconds = "process_cpu_seconds_total"
    static let startTime = "process_start_time_seconds"

    private let resident: Gauge
    private let virtual: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let start: Gauge
    private let cpu: FloatingPointCounter
    private let cpuReported = Mutex<Double>(0)

    init(factory: any MetricsFactory) {
        resident = Gauge(label: Self.residentMemory, factory: factory)
        virtual = Gauge(label: Self.virtualMemory, factory: factory)
        openFDs = Gauge(label: Self.openFileDescriptors, factory: factory)
        maxFDs = Gauge(label: Self.maximumFileDescriptors, factory: factory)
        start = Gauge(label: Self.startTime, factory: factory)
        cpu = FloatingPointCounter(label: Self.cpuSeconds, factory: factory)
    }

    /// Reads /proc/self now.
    func update() {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return }
        // The fields after the command name, which may hold spaces: field 3 (state) is first.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        func field(_ number: Int) -> Double { fields.count > number - 3 ? Double(fields[number - 3]) ?? 0 : 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        resident.record(field(24) * pageSize)
        virtual.record(field(23))
        if let bootTime = Self.bootTime() { start.record(bootTime + field(22) / ticks) }
        let cpuNow = (field(14) + field(15)) / ticks
        let delta = cpuReported.withLock { reported in
            defer { reported = max(reported, cpuNow) }
            return cpuNow - reported
        }
        if delta > 0 { cpu.increment(by: delta) }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFDs.record(entries.count) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.record(Double(limit.rlim_cur)) }
    }

    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return stat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }
}
