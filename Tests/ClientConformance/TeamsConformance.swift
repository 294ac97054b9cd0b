import Foundation
import TeamsClient

/// The Swift client's conformance runner (clients/conformance/README.md): one scenario
/// through `TeamsClient`'s public API, the only module it imports besides Foundation.
@main
struct TeamsConformance {
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("usage: teams-conformance SCENARIO [--server HOST:PORT]... [--token T] [--reader-token T] [--server-pid PID] [--restart-command CMD]\n".utf8))
            exit(2)
        }
        let scenario = arguments.removeFirst()
        var options = Options()
        while !arguments.isEmpty {
            let flag = arguments.removeFirst()
            guard let value = arguments.first else { fail(scenario, "\(flag) needs a value", code: 2) }
            arguments.removeFirst()
            switch flag {
            case "--server":
                guard let endpoint = try? Endpoint(parsing: value) else { fail(scenario, "bad --server \(value)", code: 2) }
                options.endpoints.append(endpoint)
            case "--token": options.token = value
            case "--reader-token": options.readerToken = value
            case "--server-pid": options.serverPID = Int32(value)
            case "--restart-command": options.restartCommand = value
            default: fail(scenario, "unknown flag \(flag)", code: 2)
            }
        }
        let checks = Checks(scenario: scenario, options: options)
        do {
            switch scenario {
            case "create-get": try await checks.createGet()
            case "errors": try await checks.errors()
            case "deadline": try await checks.deadline()
            case "drain": try await checks.drain()
            case "auth": try await checks.auth()
            case "watch-resume": try await checks.watchResume()
            default: fail(scenario, "unknown scenario", code: 2)
            }
        } catch {
            checks.failed("\(error)")
        }
        exit(checks.failures.withLock { $0 } == 0 ? 0 : 1)
    }

    static func fail(_ scenario: String, _ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("FAIL \(scenario): \(message)\n".utf8))
        exit(code)
    }
}

struct Options {
    var endpoints: [Endpoint] = []
    var token: String?
    var readerToken: String?
    var serverPID: Int32?
    var restartCommand: String?
}

/// One scenario's checks; each failed one is a line on stderr.
final class Checks: Sendable {
    let scenario: String
    let options: Options
    let failures = LockedCount()

    init(scenario: String, options: Options) {
        self.scenario = scenario
        self.options = options
    }

    func failed(_ message: String) {
        failures.withLock { $0 += 1 }
        FileHandle.standardError.write(Data("FAIL \(scenario): \(message)\n".utf8))
    }

    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { failed(message()) }
    }

    /// The status `body` fails with, checking it carries a message; nil when it succeeds.
    func status(_ body: () async throws -> Void) async -> StatusCode? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            check(!error.message.isEmpty, "the \(error.code) error has no message")
            return error.code
        } catch {
            failed("not an RPCError: \(error)")
            return nil
        }
    }

    func client(token: String? = nil, timeout: Duration = .seconds(5)) async throws -> TeamsClient {
        var configuration = ClientConfiguration()
        configuration.authToken = token
        configuration.connectTimeout = .seconds(5)
        return try await TeamsClient.connect(endpoints: options.endpoints, configuration: configuration, options: CallOptions(timeout: timeout))
    }

    func createGet() async throws {
        let client = try await client()
        let marker = "m\(UInt32.random(in: 0...UInt32.max))"
        let created = try await client.createTeam(name: "Conformance \(marker)")
        check(created.version == 1 && created.players.isEmpty, "created: \(created)")
        let fetched = try await client.getTeam(id: created.id.description)
        check(fetched == created, "get \(fetched) != created \(created)")
        let added = try await client.addPlayer(teamID: created.id.description, name: "Edwin", position: .goalkeeper)
        check(added.version == 2 && added.players == [Player(name: "Edwin", position: .goalkeeper)], "added: \(added)")
        let again = try await client.getTeam(id: created.id.description)
        check(again == added, "get after add: \(again)")
        let found = try await client.searchTeams(term: marker)
        check(found.teams.map(\.id) == [created.id], "search: \(found.teams)")
        try await client.deleteTeam(id: created.id.description)
        let gone = await status { _ = try await client.getTeam(id: created.id.description) }
        check(gone == .notFound, "get after delete: \(String(describing: gone))")
        await client.close()
    }

    func errors() async throws {
        let client = try await client()
        let missing = await status { _ = try await client.getTeam(id: "00000000000000000000") }
        check(missing == .notFound, "missing id: \(String(describing: missing))")
        let malformed = await status { _ = try await client.getTeam(id: "not-an-id") }
        check(malformed == .invalidArgument, "malformed id: \(String(describing: malformed))")
        let empty = await status { _ = try await client.createTeam(name: "") }
        check(empty == .invalidArgument, "empty name: \(String(describing: empty))")
        let team = try await client.createTeam(name: "Stale")
        _ = try await client.renameTeam(id: team.id.description, to: "Fresh", expectedVersion: 1)
        let stale = await status { _ = try await client.renameTeam(id: team.id.description, to: "Again", expectedVersion: 1) }
        check(stale == .aborted, "stale version: \(String(describing: stale))")
        let tooMany = await status { _ = try await client.searchTeams(pageSize: 501) }
        check(tooMany == .invalidArgument, "page size 501: \(String(describing: tooMany))")
        await client.close()
    }

    func deadline() async throws {
        let client = try await client()
        let started = ContinuousClock.now
        let ended = await status { for try await _ in client.watchEvents(from: 0, timeout: .milliseconds(300)) {} }
        let took = ContinuousClock.now - started
        check(ended == .deadlineExceeded, "the watch ended with \(String(describing: ended))")
        check(took >= .milliseconds(250) && took < .seconds(3), "the deadline took \(took)")
        _ = try await client.createTeam(name: "After A Deadline")
        await client.close()
    }

    func drain() async throws {
        guard let pid = options.serverPID else { return failed("--server-pid is required") }
        let client = try await client(timeout: .seconds(10))
        let started = ContinuousClock.now
        let signal = Task {
            try await Task.sleep(for: .seconds(1))
            kill(pid, SIGTERM)
            return ContinuousClock.now
        }
        let results = await withTaskGroup(of: (failures: [String], succeededAfter: [ContinuousClock.Instant]).self) { group in
            for loop in 0..<8 {
                group.addTask {
                    var failures: [String] = []
                    var times: [ContinuousClock.Instant] = []
                    var count = 0
                    while ContinuousClock.now - started < .seconds(3) {
                        do {
                            _ = try await client.createTeam(name: "Drain \(loop) \(count)")
                            times.append(.now)
                        } catch {
                            failures.append("\(error)")
                        }
                        count += 1
                    }
                    return (failures, times)
                }
            }
            var all: (failures: [String], succeededAfter: [ContinuousClock.Instant]) = ([], [])
            for await result in group {
                all.failures += result.failures
                all.succeededAfter += result.succeededAfter
            }
            return all
        }
        let signalled = try await signal.value
        check(results.failures.isEmpty, "\(results.failures.count) calls failed: \(results.failures.prefix(3))")
        check(results.succeededAfter.contains { $0 > signalled }, "no call succeeded after the SIGTERM")
        await client.close()
    }

    func auth() async throws {
        guard let writer = options.token, let reader = options.readerToken else { return failed("--token and --reader-token are required") }
        let anonymous = try await client()
        let none = await status { _ = try await anonymous.createTeam(name: "No Token") }
        check(none == .unauthenticated, "no token: \(String(describing: none))")
        let health = await status { _ = try await anonymous.check() }
        check(health == nil, "Check without a token: \(String(describing: health))")
        await anonymous.close()

        let readerClient = try await client(token: reader)
        let denied = await status { _ = try await readerClient.createTeam(name: "By A Reader") }
        check(denied == .permissionDenied, "reader create: \(String(describing: denied))")
        let read = await status { _ = try await readerClient.getTeam(id: "00000000000000000000") }
        check(read == .notFound, "reader get: \(String(describing: read))")
        await readerClient.close()

        let writerClient = try await client(token: writer)
        _ = try await writerClient.createTeam(name: "By A Writer")
        await writerClient.close()

        let impostor = try await client(token: "not-a-token-the-server-knows", timeout: .seconds(3))
        do throws(RPCError) {
            _ = try await impostor.createTeam(name: "By An Impostor")
            failed("an unknown token was accepted")
        } catch {
            check(error.code == .unauthenticated || (error.code == .unavailable && error.message.lowercased().contains("token")), "unknown token: \(error)")
        }
        await impostor.close()
    }

    func watchResume() async throws {
        guard let pid = options.serverPID, let restart = options.restartCommand else {
            return failed("--server-pid and --restart-command are required")
        }
        let client = try await client(timeout: .seconds(20))
        let team = try await client.createTeam(name: "Watched")
        _ = try await client.addPlayer(teamID: team.id.description, name: "One", position: .defender)
        _ = try await client.addPlayer(teamID: team.id.description, name: "Two", position: .defender)
        let events = client.watchEvents(from: 1, resuming: true, resumeBackoff: Backoff(base: .milliseconds(100), multiplier: 1.6, max: .seconds(1), jitter: .proportional(0.2)))
        let collected = Task { () throws -> [UInt64] in
            var sequences: [UInt64] = []
            for try await event in events {
                sequences.append(event.sequence)
                if sequences.count == 5 { break }
            }
            return sequences
        }
        try await Task.sleep(for: .milliseconds(500))
        kill(pid, SIGTERM)
        while isRunning(pid) { try await Task.sleep(for: .milliseconds(50)) }
        let restarted = try shell(restart).trimmingCharacters(in: .whitespacesAndNewlines)
        defer { if let newPID = Int32(restarted) { kill(newPID, SIGTERM) } }
        // The client fails fast while no server is there: retry until the restarted one
        // answers (a call refused at connect never ran, so it is safe to send again).
        for name in ["Three", "Four"] {
            for attempt in 1... {
                do throws(RPCError) {
                    _ = try await client.addPlayer(teamID: team.id.description, name: name, position: .midfielder)
                    break
                } catch {
                    guard error.code == .unavailable, attempt < 200 else { throw error }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            collected.cancel()
        }
        let sequences = try await collected.value
        timeout.cancel()
        check(sequences == [1, 2, 3, 4, 5], "events \(sequences)")
        await client.close()
    }

    /// Whether `pid` is alive: a process that exited but is not reaped yet (a zombie
    /// of the harness) has ended too, though `kill(pid, 0)` still finds it.
    private func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let state = stat.split(separator: ")").last?.split(separator: " ").first
        else { return true }
        return state != "Z"
    }

    /// Runs `command` with sh and returns the first line it prints: the command may
    /// leave a server running in the background that holds its stdout open.
    private func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            line.append(first)
        }
        // Not waitUntilExit: on Linux it can miss the exit of a shell whose child lives on.
        return String(decoding: line, as: UTF8.self)
    }
}

/// A count behind a lock.
final class LockedCount: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func withLock<T>(_ body: (inout Int) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
