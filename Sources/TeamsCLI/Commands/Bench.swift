import ArgumentParser
import BuildInfo
import Foundation
import Histogram
import NIOCore
import NIOPosix
import RPCCore
import RPCTransportNIO
import TeamsClient
import TeamsDomain
import TeamsProto
import TeamsWire

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test a server: seed teams, then drive a mix of calls and report throughput and latency.",
        discussion: """
            Closed loop by default: each connection keeps --in-flight calls outstanding. With --rate the load is \
            open loop: calls are sent on a fixed schedule and latency counts from the intended send time, so a \
            stalled server cannot hide behind a slowed client (coordinated omission).

            Pass --server-pid to also report the server's CPU time per call (read from /proc).
            """)

    @Option(help: "Connections to open.") var connections = 4
    @Option(help: "Calls in flight per connection (closed loop).") var inFlight = 16
    @Option(help: "How long to measure, e.g. 10s, 500ms, 1m (ignored with --requests).") var duration = "10s"
    @Option(help: "Measure this many calls instead of a duration.") var requests: Int?
    @Option(help: "Run this long before measuring.") var warmup = "2s"
    @Option(help: "Weighted mix of get, create, rename, delete, search, add-player, remove-player. A delete removes a team the same connection created (a create when it has none).") var mix = "get=100"
    @Option(help: "Open loop: this many calls per second in all.") var rate: Double?
    @Option(help: "Teams to seed.") var teams = 100
    @Option(help: "Players per seeded team.") var playersPerTeam = 11
    @Option(help: "Search terms are substrings of seeded names of this many characters: N or MIN-MAX (1 to 8).")
    var searchTermLength = "2-6"
    @Flag(help: "The server already holds the --teams teams an earlier run seeded (names b0, b1, ...): skip seeding. For mixes of search, create and delete only, which need no team ids.")
    var seeded = false
    @Option(help: "Pad team names to this many bytes (at most 100); 0 keeps payloads compact.") var payloadBytes = 0
    @Option(help: "The server's process id, to report its CPU time per call.") var serverPid: Int32?
    @Option(help: "Event loop threads driving the connections; default 1 leaves the other cores to the server.") var threads = 1
    @Flag(help: "After the run, read back every team created and player added that the server acknowledged (and the run did not remove or delete since), and report any missing.")
    var checkWrites = false
    @Option(help: ArgumentHelp("Also write the run as a self-contained HTML page: throughput over time, latency percentiles, calls by status, parameters.", valueName: "file.html"))
    var report: String?
    @Flag(help: "Print the results as CSV, one row per operation and one for the whole run, instead of the text summary.")
    var csv = false
    @Option(help: ArgumentHelp("Print this run's figures beside a run saved with --json, with their ratios.", valueName: "saved.json"))
    var compare: String?
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func validate() throws {
        guard connections > 0, inFlight > 0, teams > 0, playersPerTeam >= 0 else {
            throw ValidationError("--connections, --in-flight and --teams must be positive")
        }
        guard playersPerTeam <= TeamRules.default.squadLimit else { throw ValidationError("--players-per-team is at most \(TeamRules.default.squadLimit)") }
        _ = try Self.parseDuration(duration, option: "--duration")
        _ = try Self.parseDuration(warmup, option: "--warmup")
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let report {
            let folder = URL(fileURLWithPath: report).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: folder) else { throw ValidationError("--report \(report): the folder \(folder) is not writable") }
        }
        _ = try Self.parseLengths(searchTermLength)
        let workload: Workload
        do { workload = try Workload(mix: mix) } catch { throw ValidationError("\(error)") }
        if csv, global.json { throw ValidationError("--csv and --json each choose the output: give one") }
        if let compare {
            do { _ = try BenchComparison.load(compare) } catch { throw ValidationError("\(error)") }
        }
        if seeded, workload.needsTeamIDs {
            throw ValidationError("--seeded works with a --mix of search, create and delete only: the other calls need the ids of seeded teams")
        }
    }

    func run() async throws {
        let workload = try Workload(mix: mix)
        let measureFor = try Self.parseDuration(duration, option: "--duration")
        let warmupFor = try Self.parseDuration(warmup, option: "--warmup")
        let endpoints = global.endpoints
        let progress = Progress(quiet: false)

        // 0. Ask the server what it is: the report names its build, and a wrong address fails here.
        let serverVersion = try await global.withClient { client throws(RPCError) in try await client.check().version }

        // 1. Seed.
        var targets = seeded
            ? BenchTargets(teamIDs: [], teamCount: teams, playersPerTeam: playersPerTeam, connections: connections, nameBytes: payloadBytes)
            : try await global.withClient { client throws(RPCError) in
                try await Self.seed(client, teams: teams, playersPerTeam: playersPerTeam, payloadBytes: payloadBytes, connections: connections, progress: progress)
            }
        targets.searchTermLengths = try Self.parseLengths(searchTermLength)

        // 2. Connect and drive, one driver per client on its own event loop; each client
        // keeps a connection to every endpoint.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(connections, threads)))
        var drivers: [(RPCConnection, NIOLoopBound<LoadDriver>)] = []
        for index in 0..<connections {
            let connection: RPCConnection
            do {
                connection = try await RPCConnection.connect(endpoints: endpoints, configuration: global.clientConfiguration, tls: global.clientTLS, group: group)
            } catch {
                Output.printError(error, json: global.json)
                throw ExitCode(10 + Int32(error.code.rawValue))
            }
            let perConnectionRate = rate.map { $0 / Double(connections) }
            let driver = try await connection.eventLoop.submit {
                let driver = LoadDriver(connection: connection, workload: workload, targets: targets, index: index, inFlight: inFlight, rate: perConnectionRate)
                driver.start()
                return NIOLoopBound(driver, eventLoop: connection.eventLoop)
            }.get()
            drivers.append((connection, driver))
        }

        progress.say("warming up for \(warmup)")
        try await Task.sleep(for: warmupFor)

        // 3. Measure.
        let perDriverCalls = requests.map { max(1, $0 / connections) }
        let bytesBefore = try await Self.byteCounts(drivers)
        let clientCPUBefore = ProcessCPU.ofSelf()
        let serverBefore = serverPid.flatMap(ProcessCPU.of(pid:))
        let serverIOBefore = serverPid.flatMap(ProcessIO.of(pid:))
        let started = ContinuousClock.now
        let startedAt = Date()
        for (connection, driver) in drivers {
            try await connection.eventLoop.submit { driver.value.beginMeasuring(calls: perDriverCalls) }.get()
        }
        var lastCalls = 0
        var lastErrors = 0
        var lastTick = started
        var timeline: [ThroughputSample] = []
        while true {
            // Check often, so the end of a --requests run is timed closely; report once a second.
            try await Task.sleep(for: .milliseconds(20))
            let snapshot = try await Self.snapshot(drivers)
            let now = ContinuousClock.now
            if let perDriverCalls, snapshot.calls >= perDriverCalls * connections { break }
            if requests == nil, now - started >= measureFor { break }
            if now - lastTick >= .seconds(1) {
                let rateNow = Double(snapshot.calls - lastCalls) / (now - lastTick).seconds
                progress.say(String(format: "%5.1fs  %@ calls  %@/s  errors %d", (now - started).seconds, Self.grouped(snapshot.calls), Self.grouped(Int(rateNow)), snapshot.errors))
                timeline.append(ThroughputSample(
                    second: (now - started).seconds, callsPerSecond: rateNow,
                    errorsPerSecond: Double(snapshot.errors - lastErrors) / (now - lastTick).seconds))
                lastCalls = snapshot.calls
                lastErrors = snapshot.errors
                lastTick = now
            }
        }
        for (connection, driver) in drivers {
            try await connection.eventLoop.submit { driver.value.stop() }.get()
        }
        // The last, partial second counts too: a run shorter than a second still has its sample.
        let final = try await Self.snapshot(drivers)
        let tail = (ContinuousClock.now - lastTick).seconds
        if tail >= 0.05 || timeline.isEmpty {
            timeline.append(ThroughputSample(
                second: (ContinuousClock.now - started).seconds, callsPerSecond: Double(final.calls - lastCalls) / max(tail, 0.001),
                errorsPerSecond: Double(final.errors - lastErrors) / max(tail, 0.001)))
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let clientCPUAfter = ProcessCPU.ofSelf()
        let serverAfter = serverPid.flatMap(ProcessCPU.of(pid:))
        let serverIOAfter = serverPid.flatMap(ProcessIO.of(pid:))
        let bytesAfter = try await Self.byteCounts(drivers)

        var stats = OperationStats()
        var clientStatistics = ClientStatistics()
        var acknowledged = AcknowledgedWrites()
        for (connection, driver) in drivers {
            let (one, statistics, writes) = try await connection.eventLoop.submit {
                (driver.value.stats, connection.statistics, driver.value.acknowledgedWrites)
            }.get()
            stats.add(one)
            clientStatistics = clientStatistics + statistics
            acknowledged.merge(writes)
        }
        for (connection, _) in drivers { await connection.close() }
        try await group.shutdownGracefully()
        let missing: Int? = checkWrites ? try await global.withClient { client throws(RPCError) in
            try await acknowledged.countMissing(client, progress: progress)
        } : nil

        let total = stats.total
        let calls = max(1, total.calls)
        var report = BenchReport(
            target: "teams", startedAt: startedAt.formatted(Date.ISO8601FormatStyle()), servers: endpoints.map(\.description),
            clientVersion: BuildInfo.description, serverVersion: serverVersion.isEmpty ? nil : serverVersion, mix: workload.description, connections: connections, inFlight: rate == nil ? inFlight : nil,
            rate: rate, durationSeconds: elapsed, calls: total.calls, throughputPerSecond: Double(total.calls) / elapsed,
            latency: .init(total.histogram), errors: Dictionary(uniqueKeysWithValues: total.errors.map { ("\($0.key)", $0.value) }),
            operations: Dictionary(uniqueKeysWithValues: stats.byOperation.map { ($0.key.rawValue, BenchReport.OperationResult($0.value, seconds: elapsed)) }),
            bytesSentPerCall: Double(bytesAfter.sent - bytesBefore.sent) / Double(calls),
            bytesReceivedPerCall: Double(bytesAfter.received - bytesBefore.received) / Double(calls),
            framingBytesPerCall: workload.isGetOnly
                ? Double(bytesAfter.sent - bytesBefore.sent + bytesAfter.received - bytesBefore.received) / Double(calls) - Double(targets.getTeamPayloadBytes)
                : nil,
            clientCPUMicrosecondsPerCall: (clientCPUAfter - clientCPUBefore) * 1e6 / Double(calls),
            serverCPUMicrosecondsPerCall: serverBefore.flatMap { before in serverAfter.map { ($0 - before) * 1e6 / Double(calls) } },
            serverSocketBytesPerCall: serverIOBefore.flatMap { before in serverIOAfter.map { Double($0 - before) / Double(calls) } },
            reconnects: clientStatistics.reconnects, retries: clientStatistics.retries,
            transparentRetries: clientStatistics.transparentRetries, keepaliveTimeouts: clientStatistics.keepaliveTimeouts,
            writesAcknowledged: checkWrites ? acknowledged.count : nil, writesMissing: missing)
        if let compare {
            let saved = try BenchComparison.load(compare)
            let now = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any] ?? [:]
            report.comparison = BenchComparison(saved: saved, file: compare, now: now)
        }
        if csv {
            Output.line(report.csv())
        } else {
            report.print(json: global.json)
        }
        if let path = self.report {
            let percentiles = Self.reportedPercentiles.map { (percentile: $0, microseconds: Double(total.histogram.valueAtPercentile($0))) }
            do {
                try HTMLReport.render(report, timeline: timeline, percentiles: percentiles).write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Output.note("teams bench: cannot write --report \(path): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            progress.say("report written to \(path)")
        }
    }

    /// Seeding calls in flight at once.
    static let seedConcurrency = 64

    /// The latency distribution's points in the HTML report, HdrHistogram style.
    static let reportedPercentiles: [Double] = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100]

    // MARK: Steps

    /// Creates `teams` teams, at most `seedConcurrency` at a time so a million-team seed
    /// neither floods the server nor holds a million tasks, and says how far it got every second.
    static func seed(_ client: TeamsClient, teams: Int, playersPerTeam: Int, payloadBytes: Int, connections: Int, progress: Progress) async throws(RPCError) -> BenchTargets {
        progress.say("seeding \(teams) teams with \(playersPerTeam) players each")
        let names = BenchTargets(teamIDs: [], teamCount: teams, playersPerTeam: playersPerTeam, connections: connections, nameBytes: payloadBytes)
        let positions = Position.allCases
        let result: Result<[String], RPCError> = await withTaskGroup(of: Result<String, RPCError>.self) { group in
            func addSeed(_ number: Int) {
                group.addTask {
                    do throws(RPCError) {
                        let team = try await client.createTeam(name: names.teamName(number))
                        for player in 0..<playersPerTeam {
                            _ = try await client.addPlayer(teamID: team.id.description, name: "p\(player)", position: positions[player % positions.count])
                        }
                        return .success(team.id.description)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var next = 0
            while next < min(teams, seedConcurrency) { addSeed(next); next += 1 }
            var ids: [String] = []
            ids.reserveCapacity(teams)
            var lastReport = ContinuousClock.now
            for await outcome in group {
                switch outcome {
                case .success(let id): ids.append(id)
                case .failure(let error):
                    group.cancelAll()
                    return .failure(error)
                }
                if next < teams { addSeed(next); next += 1 }
                if ContinuousClock.now - lastReport >= .seconds(1) {
                    progress.say("seeded \(grouped(ids.count)) of \(grouped(teams)) teams")
                    lastReport = ContinuousClock.now
                }
            }
            return .success(ids)
        }
        let ids = try result.get()
        // The payload bytes of one GetTeam call, to tell framing from payload on the wire.
        let sample = try await client.getTeam(id: ids[0])
        let payload: Int
        do {
            payload = try Teams_V1_GetTeamRequest(id: ids[0]).encodedBytes().count
                + Teams_V1_GetTeamResponse(team: Teams_V1_Team(sample)).encodedBytes().count
        } catch {
            throw RPCError(.internal, "cannot encode a sample GetTeam: \(error)")
        }
        return BenchTargets(teamIDs: ids, teamCount: teams, playersPerTeam: playersPerTeam, connections: connections, nameBytes: payloadBytes, getTeamPayloadBytes: payload)
    }

    static func snapshot(_ drivers: [(RPCConnection, NIOLoopBound<LoadDriver>)]) async throws -> (calls: Int, errors: Int) {
        var calls = 0
        var errors = 0
        for (connection, driver) in drivers {
            let (c, e) = try await connection.eventLoop.submit { (driver.value.stats.calls, driver.value.stats.errorCount) }.get()
            calls += c
            errors += e
        }
        return (calls, errors)
    }

    static func byteCounts(_ drivers: [(RPCConnection, NIOLoopBound<LoadDriver>)]) async throws -> (sent: Int, received: Int) {
        var total = (sent: 0, received: 0)
        for (connection, _) in drivers {
            let counts = try await connection.eventLoop.submit { connection.byteCounts }.get()
            total.sent += counts.sent
            total.received += counts.received
        }
        return total
    }

    static func parseDuration(_ text: String, option: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return .milliseconds(Int64(value * scale * 1000)) }
        }
        if let value = Double(text), value >= 0 { return .milliseconds(Int64(value * 1000)) }
        throw ValidationError("\(option) must look like 10s, 500ms or 2m, got \"\(text)\"")
    }

    /// `4` or `2-6`, within 1...8.
    static func parseLengths(_ text: String) throws -> ClosedRange<Int> {
        let bounds = text.split(separator: "-", maxSplits: 1).map { Int($0) }
        guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, 1 <= low, low <= high, high <= 8 else {
            throw ValidationError("--search-term-length must be N or MIN-MAX within 1-8, got \"\(text)\"")
        }
        return low...high
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

/// Progress lines go to stderr, so `--json` output stays clean.
struct Progress: Sendable {
    let quiet: Bool
    func say(_ line: String) {
        guard !quiet else { return }
        Output.note("bench: \(line)")
    }
}

/// CPU seconds (user + system) used by a process.
enum ProcessCPU {
    static func ofSelf() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// From /proc/PID/stat (fields 14 and 15, in clock ticks); nil when unreadable.
    static func of(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "pid (comm)", field 3 is at index 0, so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Bytes a process read and wrote through system calls (sockets included), from /proc/PID/io.
enum ProcessIO {
    static func of(pid: Int32) -> Int? {
        guard let io = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        var total = 0
        for line in io.split(separator: "\n") where line.hasPrefix("rchar:") || line.hasPrefix("wchar:") {
            total += Int(line.split(separator: " ").last ?? "") ?? 0
        }
        return total
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
