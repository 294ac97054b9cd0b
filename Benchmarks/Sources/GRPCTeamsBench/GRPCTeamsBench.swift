import ArgumentParser
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCTeamsShared
import Histogram
import NIOCore
import NIOPosix
import RPCCore
import Synchronization
import TeamsDomain
import TeamsProto
import TeamsSupport
import TeamsWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Both GRPCCore and RPCCore declare `MethodDescriptor`, `RPCError` and `CallOptions`:
// uses below name the module.

typealias Client = GRPCClient<HTTP2ClientTransport.Posix>

/// `grpc-teams-bench`: loads `grpc-teams-server` the way `teams bench` loads
/// `teams-server`: N connections, a closed loop of M calls in flight on each, a
/// weighted mix of methods, self-seeded data, an HDR latency histogram.
@main
struct GRPCTeamsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-teams-bench",
        abstract: "Load generator for grpc-teams-server (the gRPC baseline of `teams bench`).",
        discussion: """
            Seeds --teams teams of --players-per-team players, then runs a closed loop of \
            --in-flight calls on each of --connections connections (one GRPCClient each) for \
            --warmup plus --duration seconds. Only calls completed in the measured window \
            (after the warmup) count; `calls` includes failed ones, which `errors` counts by status.
            """)

    @Option(help: "The gRPC server, HOST:PORT.")
    var target: Target = Target(host: "127.0.0.1", port: 7171)

    @Option(help: "Connections, one GRPCClient (one HTTP/2 connection) each.")
    var connections: Int = 4

    @Option(name: .customLong("in-flight"), help: "Concurrent calls per connection (closed loop).")
    var inFlight: Int = 16

    @Option(help: "Measured time: 10, 10s, 500ms or 1m.")
    var duration: Seconds = Seconds(10)

    @Option(help: "Unmeasured time before it, likewise.")
    var warmup: Seconds = Seconds(2)

    @Option(help: "Relative weights of the methods: get, create, add-player, rename, search.")
    var mix: Mix = Mix(weights: [(.get, 100)])

    @Option(help: "Teams to seed before the run.")
    var teams: Int = 100

    @Option(name: .customLong("players-per-team"), help: "Players to add to each seeded team.")
    var playersPerTeam: Int = 11

    @Option(help: "NIO event loop threads driving the connections; default one per core (the gRPC client needs them).")
    var threads: Int = System.coreCount

    @Option(name: .customLong("server-pid"), help: "The server's process id, to report its CPU time per call (read from /proc).")
    var serverPid: Int32?

    @Flag(help: "Print the summary as one JSON object on stdout.")
    var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard inFlight >= 1 else { throw ValidationError("--in-flight must be at least 1") }
        guard duration.value > 0 else { throw ValidationError("--duration must be more than 0") }
        guard teams >= 0, playersPerTeam >= 0 else { throw ValidationError("--teams and --players-per-team must not be negative") }
        let needsTeams = mix.uses(.get) || mix.uses(.addPlayer) || mix.uses(.rename)
        guard teams >= 1 || !needsTeams else { throw ValidationError("--mix \(mix) needs --teams 1 or more") }
    }

    func run() async throws {
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let clients: [Client] = try (0..<connections).map { _ in
            GRPCClient(transport: try HTTP2ClientTransport.Posix(
                target: target.resolvable, transportSecurity: .plaintext, eventLoopGroup: eventLoopGroup))
        }
        let summary = try await withThrowingTaskGroup(of: Void.self, returning: Summary.self) { group in
            for client in clients {
                group.addTask { try await client.runConnections() }
            }
            let outcome: Result<Summary, any Error>
            do {
                outcome = .success(try await benchmark(clients))
            } catch {
                outcome = .failure(error)
            }
            for client in clients { client.beginGracefulShutdown() }
            if case .failure = outcome { group.cancelAll() }
            try? await group.waitForAll()
            try? await eventLoopGroup.shutdownGracefully()
            return try outcome.get()
        }
        print(json ? summary.json() : summary.text())
    }

    private func benchmark(_ clients: [Client]) async throws -> Summary {
        // Fail clearly, not after a long wait, when nothing listens there.
        var probe = GRPCCore.CallOptions.defaults
        probe.timeout = .seconds(10)
        do {
            try await clients[0].unary(
                request: ClientRequest(message: Teams_V1_CheckRequest()), descriptor: TeamServiceGRPC.healthCheck,
                serializer: WireMessageSerializer<Teams_V1_CheckRequest>(),
                deserializer: WireMessageDeserializer<Teams_V1_CheckResponse>(),
                options: probe) { response in _ = try response.message }
        } catch {
            throw BenchError("cannot reach the gRPC server at \(target): \(describe(error))")
        }

        let seedStart = ContinuousClock.now
        let teamIDs = try await seed(clients)
        printError("seeded \(teamIDs.count) teams x \(playersPerTeam) players in \(format(seconds(ContinuousClock.now - seedStart), 2)) s")

        // The payload bytes of one GetTeam call, to tell framing from payload on the wire.
        var getTeamPayloadBytes: Int?
        if let id = teamIDs.first {
            let team: Team = try await call(clients[0], TeamServiceGRPC.getTeam, Teams_V1_GetTeamRequest(id: id), probe) {
                (response: Teams_V1_GetTeamResponse) throws(WireError) in try Team(from: response.team)
            }
            do throws(WireError) {
                getTeamPayloadBytes = try Teams_V1_GetTeamRequest(id: id).encodedBytes().count
                    + Teams_V1_GetTeamResponse(team: Teams_V1_Team(team)).encodedBytes().count
            } catch {
                throw BenchError("cannot encode a sample GetTeam: \(error)")
            }
        }

        let plan = Plan(
            ids: teamIDs, table: mix.table(), base: ContinuousClock.now,
            measureFrom: nanos(warmup.value), measureTo: nanos(warmup.value + duration.value))
        let progress = Progress(serverPID: serverPid)

        return try await withThrowingTaskGroup(of: WorkerResult?.self, returning: Summary.self) { group in
            for connection in 0..<connections {
                for slot in 0..<inFlight {
                    let seed = UInt64(connection * inFlight + slot + 1) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(UInt32(bitPattern: getpid()))
                    group.addTask {
                        await runWorker(client: clients[connection], plan: plan, progress: progress, seed: seed)
                    }
                }
            }
            // The reporter: a progress line each second, and resource samples at the window's edges.
            group.addTask {
                try await report(plan: plan, progress: progress)
                return nil
            }
            var merged = WorkerResult()
            for try await result in group {
                guard let result else { continue }
                merged.add(result)
            }
            return Summary(
                mix: mix.description, connections: connections, inFlight: inFlight, duration: duration.value,
                warmup: warmup.value, target: target.description, result: merged, resources: progress.window(),
                getTeamPayloadBytes: mix.weights.map(\.operation) == [.get] ? getTeamPayloadBytes : nil)
        }
    }

    /// Creates the teams and their players, with as many calls at once as the load will have.
    private func seed(_ clients: [Client]) async throws -> [String] {
        guard teams > 0 else { return [] }
        let workers = min(teams, connections * inFlight)
        var seedOptions = GRPCCore.CallOptions.defaults
        seedOptions.timeout = .seconds(30)
        let options = seedOptions
        let perTeam = playersPerTeam
        let teamCount = teams
        return try await withThrowingTaskGroup(of: [(Int, String)].self, returning: [String].self) { group in
            for worker in 0..<workers {
                let client = clients[worker % clients.count]
                group.addTask {
                    var created: [(Int, String)] = []
                    for index in stride(from: worker, to: teamCount, by: workers) {
                        let team: Team = try await call(
                            client, TeamServiceGRPC.createTeam, Teams_V1_CreateTeamRequest(name: "t\(index + 1)"), options
                        ) { (response: Teams_V1_CreateTeamResponse) throws(WireError) in try Team(from: response.team) }
                        let id = team.id.description
                        for player in 0..<perTeam {
                            let position = Position.allCases[player % Position.allCases.count]
                            let spec = Teams_V1_Player(name: "p\(player + 1)", position: position.message)
                            try await call(
                                client, TeamServiceGRPC.addPlayer, Teams_V1_AddPlayerRequest(teamID: id, player: spec), options
                            ) { (_: Teams_V1_AddPlayerResponse) in () }
                        }
                        created.append((index, id))
                    }
                    return created
                }
            }
            var ids = [String](repeating: "", count: teamCount)
            for try await created in group {
                for (index, id) in created { ids[index] = id }
            }
            return ids
        }
    }
}

/// The fixed facts every worker shares.
struct Plan: Sendable {
    let ids: [String]
    let table: [Operation]
    let base: ContinuousClock.Instant
    /// The measured window, in nanoseconds after `base`.
    let measureFrom: Int64
    let measureTo: Int64

    @inline(__always)
    func now() -> Int64 {
        let elapsed = ContinuousClock.now - base
        let (seconds, attoseconds) = elapsed.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// What the workers share while running: counters for the progress line, names for writes.
final class Progress: Sendable {
    let done = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    /// Unique suffixes for player and team names written during the run.
    let names = Atomic<Int>(0)
    private let samples = Mutex<(start: ResourceSample?, end: ResourceSample?)>((nil, nil))
    private let serverPID: Int32?

    init(serverPID: Int32?) {
        self.serverPID = serverPID
    }

    func mark(start: Bool) {
        let sample = ResourceSample.now(serverPID: serverPID)
        samples.withLock { if start { $0.start = sample } else { $0.end = sample } }
    }

    func window() -> (ResourceSample, ResourceSample)? {
        samples.withLock { samples in
            guard let start = samples.start, let end = samples.end else { return nil }
            return (start, end)
        }
    }
}

/// One closed-loop caller's tally, for calls completed in the measured window.
struct WorkerResult: Sendable {
    var calls = 0
    var errors: [String: Int] = [:]
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    mutating func add(_ other: WorkerResult) {
        calls += other.calls
        errors.merge(other.errors, uniquingKeysWith: +)
        latency.add(other.latency)
    }
}

func runWorker(client: Client, plan: Plan, progress: Progress, seed: UInt64) async -> WorkerResult {
    var result = WorkerResult()
    var random = SplitMix64(seed: seed)
    let options = GRPCCore.CallOptions.defaults
    let positions = Position.allCases
    // Players go to teams this worker created (as `teams bench` does), so seeded
    // teams keep their size and squads never fill; seeded teams until one exists.
    var createdIDs: [String] = []
    while true {
        let start = plan.now()
        if start >= plan.measureTo { break }
        let operation = plan.table[Int(random.next() % UInt64(plan.table.count))]
        var status: String?
        do {
            switch operation {
            case .get:
                let id = plan.ids[Int(random.next() % UInt64(plan.ids.count))]
                try await call(client, TeamServiceGRPC.getTeam, Teams_V1_GetTeamRequest(id: id), options) {
                    (_: Teams_V1_GetTeamResponse) in ()
                }
            case .addPlayer:
                let id = createdIDs.last ?? plan.ids[Int(random.next() % UInt64(plan.ids.count))]
                let name = "x" + String(progress.names.add(1, ordering: .relaxed).newValue, radix: 36)
                let spec = Teams_V1_Player(name: name, position: positions[Int(random.next() % UInt64(positions.count))].message)
                try await call(client, TeamServiceGRPC.addPlayer, Teams_V1_AddPlayerRequest(teamID: id, player: spec), options) {
                    (_: Teams_V1_AddPlayerResponse) in ()
                }
            case .create:
                let name = "c" + String(progress.names.add(1, ordering: .relaxed).newValue, radix: 36)
                let created = try await call(client, TeamServiceGRPC.createTeam, Teams_V1_CreateTeamRequest(name: name), options) {
                    (response: Teams_V1_CreateTeamResponse) throws(WireError) in try Team(from: response.team).id.description
                }
                createdIDs.append(created)
            case .rename:
                let id = plan.ids[Int(random.next() % UInt64(plan.ids.count))]
                let name = "r" + String(progress.names.add(1, ordering: .relaxed).newValue, radix: 36)
                try await call(client, TeamServiceGRPC.renameTeam, Teams_V1_RenameTeamRequest(id: id, name: name), options) {
                    (_: Teams_V1_RenameTeamResponse) in ()
                }
            case .search:
                try await call(client, TeamServiceGRPC.searchTeams, Teams_V1_SearchTeamsRequest(term: "t1", pageSize: 10), options) {
                    (_: Teams_V1_SearchTeamsResponse) in ()
                }
            }
        } catch let error as GRPCCore.RPCError {
            status = error.code.statusName
        } catch {
            status = "UNKNOWN"
            if progress.failed.load(ordering: .relaxed) == 0 { printError("first non-gRPC error: \(error)") }
        }
        let end = plan.now()
        progress.done.add(1, ordering: .relaxed)
        if let status {
            progress.failed.add(1, ordering: .relaxed)
            if end >= plan.measureFrom && end <= plan.measureTo { result.errors[status, default: 0] += 1 }
        }
        if end >= plan.measureFrom && end <= plan.measureTo {
            result.calls += 1
            _ = result.latency.record(UInt64(max(1, end - start)))
        }
    }
    return result
}

/// One unary call with the protoc-c codec; `extract` reads the response message.
///
/// A response whose contents `extract` cannot map to the domain (`WireError`, e.g. a
/// team id that is not an xid) fails as INVALID_ARGUMENT, like bytes that do not decode.
@discardableResult
func call<Request: WireMessage, Response: WireMessage, Value: Sendable>(
    _ client: Client, _ method: GRPCCore.MethodDescriptor, _ request: Request, _ options: GRPCCore.CallOptions,
    _ extract: @escaping @Sendable (Response) throws(WireError) -> Value
) async throws -> Value {
    try await client.unary(
        request: ClientRequest(message: request), descriptor: method,
        serializer: WireMessageSerializer<Request>(), deserializer: WireMessageDeserializer<Response>(),
        options: options
    ) { (response: ClientResponse<Response>) async throws -> Value in
        let message = try response.message
        do throws(WireError) {
            return try extract(message)
        } catch {
            throw GRPCCore.RPCError(code: .invalidArgument, message: "malformed \(Response.wireType): \(error)")
        }
    }
}

/// The progress line each second on stderr, and the resource samples at the window's edges.
func report(plan: Plan, progress: Progress) async throws {
    var lastDone = 0
    var lastTime: Int64 = 0
    var tick: Int64 = 1
    var markedStart = false
    while true {
        var next = tick * 1_000_000_000
        if !markedStart && plan.measureFrom <= next { next = plan.measureFrom }
        let end = min(next, plan.measureTo)
        try await Task.sleep(until: plan.base + .nanoseconds(end), clock: .continuous)
        if !markedStart && end >= plan.measureFrom {
            progress.mark(start: true)
            markedStart = true
        }
        if end >= plan.measureTo {
            progress.mark(start: false)
        }
        if end == tick * 1_000_000_000 || end >= plan.measureTo {
            let now = plan.now()
            let done = progress.done.load(ordering: .relaxed)
            let rate = Double(done - lastDone) / (Double(max(1, now - lastTime)) / 1e9)
            let phase = end <= plan.measureFrom ? "warmup " : "measure"
            printError(
                "[\(format(Double(now) / 1e9, 1))s \(phase)] calls \(done)  rate \(Int(rate.rounded()))/s  errors \(progress.failed.load(ordering: .relaxed))")
            lastDone = done
            lastTime = now
            tick += 1
        }
        if end >= plan.measureTo { return }
    }
}

/// The process's CPU time and bytes moved through read/write syscalls (sockets included),
/// and the server's CPU time when its process id is known.
struct ResourceSample: Sendable {
    var cpuMicroseconds: Double
    var bytesRead: UInt64?
    var bytesWritten: UInt64?
    var serverCPUMicroseconds: Double?

    static func now(serverPID: Int32?) -> ResourceSample {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        var sample = ResourceSample(cpuMicroseconds: cpu)
        // /proc/self/io: rchar and wchar count bytes through read(2)/write(2)/readv/writev, which is
        // how NIO moves socket data; eventfd wake-ups add a little noise.
        if let file = fopen("/proc/self/io", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 256)
            while fgets(&line, Int32(line.count), file) != nil {
                let length = line.firstIndex(of: 0) ?? line.count
                let text = String(decoding: line[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let parts = text.split(separator: ":").map { $0.trimmingSpaces() }
                guard parts.count == 2 else { continue }
                let value = UInt64(parts[1].filter(\.isNumber))
                if parts[0] == "rchar" { sample.bytesRead = value }
                if parts[0] == "wchar" { sample.bytesWritten = value }
            }
        }
        if let serverPID { sample.serverCPUMicroseconds = processCPUMicroseconds(serverPID) }
        return sample
    }

    /// utime + stime of a process, from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func processCPUMicroseconds(_ pid: Int32) -> Double? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = fread(&buffer, 1, buffer.count, file)
        let stat = String(decoding: buffer[..<count], as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "pid (comm)", field 3 is at index 0, so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) * 1e6 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}

extension Target {
    var resolvable: any ResolvableTarget {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4 && octets.allSatisfy({ UInt8($0) != nil }) {
            let target: ResolvableTargets.IPv4 = .ipv4(address: host, port: port)
            return target
        }
        if host.contains(":") {
            let target: ResolvableTargets.IPv6 = .ipv6(address: host, port: port)
            return target
        }
        let target: ResolvableTargets.DNS = .dns(host: host, port: port)
        return target
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func describe(_ error: any Error) -> String {
    if let error = error as? GRPCCore.RPCError { return "\(error.code.statusName): \(error.message)" }
    return "\(error)"
}

func nanos(_ seconds: Double) -> Int64 { Int64((seconds * 1e9).rounded()) }

func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
}

func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

/// `value` with `digits` decimals, without Foundation.
func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    let whole = Int64(scaled / scale)
    guard digits > 0 else { return "\(Int64(scaled))" }
    var fraction = String(Int64(abs(scaled) - abs(Double(whole)) * scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (scaled < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
}
