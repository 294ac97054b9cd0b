import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TeamsClient
import TeamsDomain
import RPCCore
import RPCTransportNIO
import TeamsTestSupport
import XCTest

/// Fleets of `teams-server` processes on one DynamoDB table (serialised moto) under
/// `teams bench`: writes do not contend with each other, every acknowledged write is
/// stored and numbered once into a gapless log, and a killed sequencer is replaced.
final class DynamoDBFleetTests: XCTestCase {
    /// One, two and four servers under a create/add-player mix.
    func testWritesDoNotContendAsTheFleetGrows() async throws {
        var summary: [String] = []
        for count in [1, 2, 4] {
            let result = try await runFleet(servers: count)
            let units = result.units.map { "\($0.key) \(String(format: "%.2f", $0.value / Double(result.writes)))" }.sorted().joined(separator: ", ")
            summary.append("\(count) servers: \(Int(result.throughput)) writes/s, \(result.conflicts)/\(result.writes) change writes refused by a condition, event lag p50 \(result.lag.p50) ms p99 \(result.lag.p99) ms, capacity units per change write as moto reports them: \(units)")
        }
        print("fleet: " + summary.joined(separator: "; "))
    }

    private struct FleetResult {
        var throughput: Double
        var writes: Int
        var conflicts: Int
        var lag: (p50: Int64, p99: Int64)
        /// Consumed capacity units reported, by purpose.
        var units: [String: Double]
    }

    private func runFleet(servers count: Int, file: StaticString = #filePath, line: UInt = #line) async throws -> FleetResult {
        let binary = try builtExecutable("teams-server")
        let moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let table = "fleet-\(count)-\(UUID().uuidString.prefix(8))"
        let metricsPorts = try (0..<count).map { _ in try LocalPorts.freePort() }
        let servers = try metricsPorts.map { metricsPort in
            try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint, extraArguments: ["--log-level", "info", "--metrics-port", "\(metricsPort)"])
        }
        defer { servers.forEach { $0.terminate() } }

        // A watcher from the start measures how long each change takes to reach it.
        let watcher = try await TeamsClient.connect(host: "127.0.0.1", port: servers[0].port, options: CallOptions(timeout: nil))
        defer { Task { await watcher.close() } }
        let arrivals = ArrivalLog()
        let watching = Task {
            for try await event in watcher.watchEvents(from: 1) { arrivals.record(event) }
        }
        defer { watching.cancel() }

        let bench = try BenchProcess(arguments: [
            "--server", servers.map { "127.0.0.1:\($0.port)" }.joined(separator: ","), "--connections", "\(count)", "--in-flight", "2",
            "--mix", "create=50,add-player=50", "--teams", "300", "--players-per-team", "0",
            "--warmup", "1s", "--duration", "6s", "--timeout", "30", "--check-writes",
        ])
        let report = try bench.report()
        XCTAssertEqual(report["errors"] as? [String: Int], [:], "\(count) servers: no call failed", file: file, line: line)
        XCTAssertEqual(report["writes_missing"] as? Int, 0, "\(count) servers: every acknowledged write is stored", file: file, line: line)

        // Every change gets one event: the log reaches the last write, gapless, and each
        // event is published once across the fleet (no takeover happened).
        var stored = 0
        var published: [Int] = []
        // Moto answers one request at a time, so under load the sequencer falls behind the
        // writers; it catches up once the load stops.
        let acknowledged = report["writes_acknowledged"] as? Int ?? .max
        for _ in 0..<600 {
            let samples = try await scrape(metricsPorts[0])
            stored = Int(samples["teams_events_stored_sequence"] ?? 0)
            published = servers.flatMap { DynamoDBScaleOutTests.publishedSequences($0.log) }
            if stored > acknowledged, published.count >= stored, arrivals.count >= stored { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertGreaterThan(stored, acknowledged, "every acknowledged write has its event", file: file, line: line)
        XCTAssertEqual(published.sorted(), Array(1...max(1, stored)), "\(count) servers: each event published once", file: file, line: line)
        XCTAssertEqual(arrivals.sequences, Array(1...UInt64(max(1, stored))), "\(count) servers: the watcher saw a gapless log", file: file, line: line)

        // Only real version conflicts refuse a change: no shared item to race for.
        var writes = 0
        var conflicts = 0
        var units: [String: Double] = [:]
        for port in metricsPorts {
            let samples = try await scrape(port)
            for (name, value) in samples where name.hasPrefix("dynamodb_consumed_capacity_units_total{") {
                let purpose = name.components(separatedBy: "purpose=\"").last?.components(separatedBy: "\"").first ?? "?"
                units[purpose, default: 0] += value
            }
            writes += Int(samples[#"dynamodb_change_writes_total{outcome="written"}"#] ?? 0)
            conflicts += Int(samples[#"dynamodb_change_writes_total{outcome="condition_failed"}"#] ?? 0)
        }
        writes += conflicts
        XCTAssertGreaterThan(writes, 100, file: file, line: line)
        XCTAssertLessThanOrEqual(Double(conflicts), 0.02 * Double(writes), "\(count) servers: \(conflicts) of \(writes) change writes refused", file: file, line: line)
        for server in servers {
            XCTAssertEqual(DynamoDBScaleOutTests.lines(server.log, atLevels: ["error", "critical"]), [], server.log, file: file, line: line)
        }
        return FleetResult(throughput: report["throughput_per_s"] as? Double ?? 0, writes: writes, conflicts: conflicts, lag: arrivals.lag, units: units)
    }

    /// kill -9 of the server holding the sequencer lease, under load: another takes over
    /// within the lease, and no change is left without its event.
    func testAKilledSequencerIsReplacedAndNoEventIsLost() async throws {
        let binary = try builtExecutable("teams-server")
        let moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let table = "takeover-\(UUID().uuidString.prefix(8))"
        let servers = try (0..<3).map { _ in try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint, extraArguments: ["--log-level", "info"]) }
        defer { servers.forEach { $0.terminate() } }
        var holder: Int?
        for _ in 0..<100 where holder == nil {
            holder = servers.firstIndex { $0.log.contains("sequencer: took the lease") }
            if holder == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let killed = try XCTUnwrap(holder, "one server took the sequencer lease")
        let survivors = servers.indices.filter { $0 != killed }.map { servers[$0] }

        let bench = try BenchProcess(arguments: [
            "--server", survivors.map { "127.0.0.1:\($0.port)" }.joined(separator: ","), "--connections", "2", "--in-flight", "4",
            "--mix", "create=50,add-player=50", "--teams", "100", "--players-per-team", "0",
            "--warmup", "1s", "--duration", "10s", "--timeout", "30", "--check-writes",
        ])
        try bench.waitUntilMeasuring()
        try await Task.sleep(for: .seconds(2))
        let killedAt = ContinuousClock.now
        let killedLog = servers[killed].log
        servers[killed].kill9()
        let report = try bench.report()
        XCTAssertEqual(report["errors"] as? [String: Int], [:], "no call failed: writes never wait for the sequencer")
        XCTAssertEqual(report["writes_missing"] as? Int, 0)

        // Another server took over, within the lease (10 s) and its standby poll (2.5 s).
        var successor: Int?
        for _ in 0..<200 where successor == nil {
            successor = survivors.firstIndex { $0.log.contains("sequencer: took the lease") }
            if successor == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertNotNil(successor, "a survivor took the sequencer lease")
        XCTAssertLessThan(ContinuousClock.now - killedAt, .seconds(20))

        // Every write has its event, once in the log: a watcher reads 1…N without a gap,
        // N covering every acknowledged write (and the teams the bench made first).
        let acknowledged = report["writes_acknowledged"] as? Int ?? 0
        let watcher = try await TeamsClient.connect(host: "127.0.0.1", port: survivors[0].port, options: CallOptions(timeout: nil))
        let arrivals = ArrivalLog()
        let watching = Task { for try await event in watcher.watchEvents(from: 1) { arrivals.record(event) } }
        var last = -1
        for _ in 0..<120 {
            try await Task.sleep(for: .seconds(1))
            if arrivals.count == last, last > acknowledged { break }  // quiet for a second
            last = arrivals.count
        }
        watching.cancel()
        await watcher.close()
        let sequences = arrivals.sequences
        XCTAssertGreaterThan(sequences.count, acknowledged, "every acknowledged write has its event")
        XCTAssertEqual(sequences, Array(1...UInt64(max(1, sequences.count))), "gapless across the takeover")
        XCTAssertEqual(Set(arrivals.changes).count, sequences.count, "no change numbered twice")
        // Published at least once; twice only for what the killed relay had not recorded as delivered.
        let published = ([killedLog] + survivors.map(\.log)).flatMap(DynamoDBScaleOutTests.publishedSequences)
        XCTAssertEqual(Set(published), Set(1...sequences.count), "every event was published")
    }

    // MARK: Helpers

    private func scrape(_ port: Int) async throws -> [String: Double] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        return ObservabilityTests.samples(String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }
}

/// When each event reached a watcher, by sequence.
private final class ArrivalLog: Sendable {
    private let arrivals = Mutex<[(sequence: UInt64, change: String, lagMilliseconds: Int64)]>([])

    func record(_ event: TeamEvent) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        arrivals.withLock { $0.append((event.sequence, "\(event.teamID)/\(event.version)", now - event.occurredAt)) }
    }

    var count: Int { arrivals.withLock { $0.count } }
    var sequences: [UInt64] { arrivals.withLock { $0.map(\.sequence) } }
    /// Each event's team and version: what identifies the change it records.
    var changes: [String] { arrivals.withLock { $0.map(\.change) } }

    /// From the change's commit (its event's time) to its arrival: p50 and p99.
    var lag: (p50: Int64, p99: Int64) {
        let sorted = arrivals.withLock { $0.map(\.lagMilliseconds) }.sorted()
        guard !sorted.isEmpty else { return (0, 0) }
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
    }
}
