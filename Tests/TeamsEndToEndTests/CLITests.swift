import Foundation
import TeamsTestSupport
import XCTest

/// The built `teams` binary against a running server.
final class CLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func teams(_ arguments: [String], port: Int) throws -> Run {
        try run("teams", arguments, environment: ["TEAMS_SERVER": "127.0.0.1:\(port)"])
    }

    func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = try builtExecutable(executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func testTheWalkthroughFromTheReadme() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let port = server.port

        let created = try teams(["create", "Real Madrid", "--json"], port: port)
        XCTAssertEqual(created.status, 0, created.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try XCTUnwrap(json["id"] as? String)
        XCTAssertEqual(json["version"] as? Int, 1)

        let added = try teams(["add-player", id, "Iker Casillas", "GK"], port: port)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stdout.contains("Iker Casillas  GK"), added.stdout)

        let renamed = try teams(["rename", id, "Real Madrid CF"], port: port)
        XCTAssertEqual(renamed.status, 0, renamed.stderr)

        let found = try teams(["search", "madrid"], port: port)
        XCTAssertEqual(found.status, 0, found.stderr)
        XCTAssertTrue(found.stdout.contains(id), found.stdout)
        XCTAssertTrue(found.stdout.contains("Real Madrid CF"), found.stdout)

        let invalid = try teams(["add-player", id, "Bob", "FW"], port: port)
        XCTAssertEqual(invalid.status, 13, "10 + INVALID_ARGUMENT")
        XCTAssertTrue(invalid.stderr.hasPrefix("INVALID_ARGUMENT: "), invalid.stderr)

        let missing = try teams(["get", "00000000000000000000"], port: port)
        XCTAssertEqual(missing.status, 15, "10 + NOT_FOUND")
        XCTAssertTrue(missing.stderr.hasPrefix("NOT_FOUND: "), missing.stderr)

        // Global options are accepted after the subcommand.
        let got = try teams(["get", id, "--json", "--timeout", "5"], port: port)
        XCTAssertEqual(got.status, 0, got.stderr)
        XCTAssertTrue(got.stdout.contains("\"name\":\"Real Madrid CF\""), got.stdout)
    }

    /// A refused connection fails at once, in plain words, as redis-cli and gRPC do.
    func testARefusedConnectionFailsAtOnceSayingSo() throws {
        let port = try LocalPorts.freePort()
        let started = Date()
        let run = try teams(["get", "9m4e2mr0ui3e8a215n4g", "--timeout", "10"], port: port)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(run.status, 24, "10 + UNAVAILABLE")
        XCTAssertEqual(run.stderr, "UNAVAILABLE: could not connect to 127.0.0.1:\(port): connection refused\n")
        XCTAssertLessThan(took, 3, "failed within \(took) s, not after its 10 s timeout")
    }

    /// --wait-for-ready keeps trying up to --timeout, then names the cause.
    func testWaitForReadyWaitsUpToTheTimeout() throws {
        let port = try LocalPorts.freePort()
        let started = Date()
        let run = try teams(["health", "--wait-for-ready", "--timeout", "1.5"], port: port)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(run.status, 24, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("UNAVAILABLE: could not connect to 127.0.0.1:\(port): connection refused"), run.stderr)
        XCTAssertGreaterThanOrEqual(took, 1.4, "it waited for the server")
    }

    /// Output reaches a pipe line by line: `watch --json`, interrupted, leaves every event
    /// it printed, as the text form does.
    func testWatchJSONReachesAPipeBeforeItIsInterrupted() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for name in ["Ajax", "Benfica"] { XCTAssertEqual(try teams(["create", name], port: server.port).status, 0) }
        for json in [true, false] {
            let process = Process()
            process.executableURL = try builtExecutable("teams")
            process.arguments = ["watch", "--from", "1"] + (json ? ["--json"] : [])
            process.environment = ["TEAMS_SERVER": "127.0.0.1:\(server.port)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .seconds(1))
            kill(process.processIdentifier, SIGINT)
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = printed.split(separator: "\n")
            XCTAssertEqual(lines.count, 2, "json \(json): \(printed)")
            if json {
                XCTAssertTrue(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, printed)
            }
        }
    }

    /// Adds and removals can run for as long as the tester likes: adds go where there is
    /// room under the squad limit, removals name players that are there.
    func testAnAddAndRemoveMixRunsWithoutErrors() async throws {
        let report = try await checkedBenchReport(mix: "add-player=60,remove-player=40", duration: "3s")
        XCTAssertGreaterThan(report["calls"] as? Int ?? 0, 1000, "enough calls to fill the 4 squads of 100 several times over")
        XCTAssertEqual(report["writes_missing"] as? Int, 0, "every player still there was read back")
    }

    /// Deleted teams are not read back, nor the players added to them before.
    func testCheckWritesExpectsNothingOfTheTeamsTheRunDeleted() async throws {
        let report = try await checkedBenchReport(mix: "create=30,delete=20,add-player=30,remove-player=20", duration: "2s")
        XCTAssertGreaterThan(report["writes_acknowledged"] as? Int ?? 0, 0)
        XCTAssertEqual(report["writes_missing"] as? Int, 0, "only teams still there, and their players, were read back")
    }

    /// The JSON report of a `teams bench --check-writes` run of `mix` on 4 teams of 3
    /// players, against a server of its own, once it exited 0 without errors.
    private func checkedBenchReport(mix: String, duration: String) async throws -> [String: Any] {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let run = try teams([
            "bench", "--teams", "4", "--players-per-team", "3", "--mix", mix,
            "--connections", "2", "--in-flight", "4", "--warmup", "200ms", "--duration", duration, "--check-writes", "--json",
        ], port: server.port)
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["errors"] as? [String: Int], [:], "\(mix)")
        return report
    }

    /// Help says what a default means, and puts the options every command shares under a heading.
    func testHelpStatesDefaultsAndGroupsTheConnectionOptions() throws {
        let search = try teams(["search", "--help"], port: 1)
        XCTAssertTrue(search.stdout.contains("CONNECTION OPTIONS:"), search.stdout)
        XCTAssertFalse(search.stdout.contains("(default: 0)"), search.stdout)
        let rename = try teams(["rename", "--help"], port: 1)
        XCTAssertTrue(rename.stdout.contains("without it, no check"), rename.stdout)
        // Paragraphs are wrapped to the terminal, never broken mid-sentence by the source.
        for command in [["--help"], ["bench", "--help"], ["watch", "--help"], ["call", "--help"]] {
            let wide = try run("teams", command, environment: ["COLUMNS": "1000"])
            // The prose: not the usage line, nor a section (`OPTIONS:` and what follows).
            let paragraphs = wide.stdout.components(separatedBy: "\n\n").filter { paragraph in
                let first = paragraph.split(separator: "\n").first ?? ""
                return !paragraph.hasPrefix("USAGE") && !(first.hasSuffix(":") && first == first.uppercased())
            }
            for paragraph in paragraphs where !paragraph.isEmpty {
                XCTAssertFalse(paragraph.trimmingCharacters(in: .newlines).contains("\n"), "\(command): \(paragraph)")
            }
        }
        let zero = try teams(["get", "9m4e2mr0ui3e8a215n4g", "--timeout", "0"], port: 1)
        XCTAssertEqual(zero.status, 64)
        XCTAssertTrue(zero.stderr.contains("--timeout must be more than 0 and at most 86400 seconds, got 0.0"), zero.stderr)
    }

    /// An id that is 20 characters of 0-9 and a-v but not canonical says what is wrong.
    func testANonCanonicalIDSaysWhatIsWrong() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let run = try teams(["get", "9m4e2mr0ui3e8a215n4h"], port: server.port)
        XCTAssertEqual(run.status, 13, "10 + INVALID_ARGUMENT")
        XCTAssertEqual(
            run.stderr,
            "INVALID_ARGUMENT: team id \"9m4e2mr0ui3e8a215n4h\" ends in \"h\", but an xid's last character is 0 or g (its last 4 bits are zero padding)\n")
    }

    /// `--version` on both binaries names the release, the commit and the compiler, and the
    /// server reports the same build to `health`.
    func testVersionsAreTheSameBuildEverywhere() throws {
        let version = try teams(["--version"], port: 1)
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertNotNil(version.stdout.range(of: #"^\d+\.\d+\.\d+ \(commit ([0-9a-f]+(-dirty)?|unknown), Swift \d+\.\d+"#, options: .regularExpression), version.stdout)
        XCTAssertEqual(try run("teams-server", ["--version"]).stdout, version.stdout)
        let completion = try teams(["--generate-completion-script", "bash"], port: 1)
        XCTAssertTrue(completion.stdout.contains("-F _teams teams"), "the documented completion script")

        let process = try ServerProcess(binary: try builtExecutable("teams-server"), store: "memory")
        defer { process.terminate() }
        let health = try teams(["health", "--json"], port: process.port)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["version"] as? String, version.stdout.trimmingCharacters(in: .newlines), "the server's build, as its --version says")
    }

    /// `teams --server A,B health` asks each server and says which are down; connection
    /// options may come before the subcommand.
    func testHealthReportsEachServer() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let down = try LocalPorts.freePort()
        let both = "127.0.0.1:\(server.port),127.0.0.1:\(down)"
        let run = try teams(["--server", both, "health"], port: 1)
        XCTAssertEqual(run.status, 24, "10 + UNAVAILABLE, from the server that is down")
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.stdout)
        XCTAssertTrue(lines[0].hasPrefix("127.0.0.1:\(server.port)  SERVING (store memory"), run.stdout)
        XCTAssertTrue(lines[1].hasPrefix("127.0.0.1:\(down)  UNAVAILABLE: could not connect"), run.stdout)

        let json = try teams(["--json", "--server", both, "health"], port: 1)
        let reports = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(reports.map { $0["server"] as? String }, ["127.0.0.1:\(server.port)", "127.0.0.1:\(down)"])
        XCTAssertEqual(reports[0]["serving"] as? Bool, true)
        XCTAssertEqual((reports[1]["error"] as? [String: String])?["code"], "UNAVAILABLE")

        let one = try teams(["--server", "127.0.0.1:\(server.port)", "health"], port: 1)
        XCTAssertEqual(one.status, 0, one.stderr)
    }

    /// `teams watch` rides through a server restart: it resumes from the last sequence
    /// it printed + 1, says so on stderr, and prints each event once, with its time.
    func testWatchResumesAfterTheServerRestarts() async throws {
        let folder = try TemporaryFolder()
        let store = "sqlite:\(folder.path("teams.sqlite"))"
        let binary = try builtExecutable("teams-server")
        var server = try ServerProcess(binary: binary, store: store)
        defer { server.terminate() }
        XCTAssertEqual(try teams(["create", "Ajax"], port: server.port).status, 0)

        let watch = Process()
        watch.executableURL = try builtExecutable("teams")
        watch.arguments = ["watch", "--from", "1"]
        watch.environment = ["TEAMS_SERVER": "127.0.0.1:\(server.port)"]
        let out = Pipe()
        let err = Pipe()
        watch.standardOutput = out
        watch.standardError = err
        try watch.run()
        try await Task.sleep(for: .milliseconds(700))
        XCTAssertEqual(server.stopGracefully(), 0)
        try await Task.sleep(for: .milliseconds(300))
        server = try ServerProcess(binary: binary, store: store, port: server.port)
        XCTAssertEqual(try teams(["create", "Benfica"], port: server.port).status, 0)
        try await Task.sleep(for: .seconds(2))
        kill(watch.processIdentifier, SIGINT)
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watch.waitUntilExit()

        let lines = printed.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "each event once: \(printed)\nstderr: \(said)")
        XCTAssertTrue(lines.first?.contains("#1  TeamCreated") ?? false, printed)
        XCTAssertTrue(lines.last?.contains("#2  TeamCreated") ?? false, printed)
        XCTAssertNotNil(lines.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  #1"#, options: .regularExpression), "a timestamp first: \(printed)")
        XCTAssertTrue(said.contains("UNAVAILABLE") && said.contains("resuming from #2"), said)
    }

    /// A mixed run reports each operation, as text, JSON and CSV, and compares itself with a saved run.
    func testAMixedRunReportsEachOperationAndComparesWithASavedOne() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let folder = try TemporaryFolder()
        let common = ["bench", "--teams", "4", "--players-per-team", "2", "--mix", "get=2,search=1", "--connections", "1", "--in-flight", "2",
            "--warmup", "100ms", "--duration", "700ms"]

        let first = try teams(common + ["--json"], port: server.port)
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let operations = try XCTUnwrap(report["operations"] as? [String: [String: Any]])
        XCTAssertEqual(Set(operations.keys), ["get", "search"])
        XCTAssertEqual(operations.values.map { $0["calls"] as? Int ?? 0 }.reduce(0, +), report["calls"] as? Int, "the operations add up to the run")
        for key in ["min", "avg", "p50", "p90", "p99", "max"] {
            XCTAssertNotNil((operations["get"]?["latency_us"] as? [String: Double])?[key], key)
        }
        XCTAssertEqual(report["servers"] as? [String], ["127.0.0.1:\(server.port)"])
        XCTAssertNotNil(report["started_at"] as? String)
        XCTAssertNotNil(report["client_version"] as? String)
        let saved = folder.path("saved.json")
        try Data(first.stdout.utf8).write(to: URL(fileURLWithPath: saved))

        let csv = try teams(common + ["--csv"], port: server.port)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertEqual(csv.stdout.split(separator: "\n").map { $0.split(separator: ",")[0] }, ["operation", "get", "search", "all"])

        let compared = try teams(common + ["--compare", saved], port: server.port)
        XCTAssertEqual(compared.status, 0, compared.stderr)
        XCTAssertTrue(compared.stdout.contains("compared with \(saved)"), compared.stdout)
        XCTAssertNotNil(compared.stdout.range(of: #"\ncalls/s +[0-9,]+ +[0-9,]+ +\d+\.\d\d×"#, options: .regularExpression), compared.stdout)
        XCTAssertTrue(compared.stdout.contains("get p99 µs"), compared.stdout)

        let notARun = try teams(common + ["--compare", folder.path("missing.json")], port: server.port)
        XCTAssertEqual(notARun.status, 64)
        XCTAssertTrue(notARun.stderr.contains("--compare"), notARun.stderr)
    }

    /// `teams call` sends any method a JSON request, from -d, a file or stdin, with metadata,
    /// and prints the JSON response; errors are `CODE: message`, or JSON with --json.
    func testCallSendsAnyMethodFromJSON() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let created = try teams(["call", "teams.v1.TeamService/CreateTeam", "-d", #"{"name": "Ajax"}"#, "-H", "request-id=cli-1"], port: server.port)
        XCTAssertEqual(created.status, 0, created.stderr)
        let response = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: [String: Any]])
        let id = try XCTUnwrap(response["team"]?["id"] as? String)
        XCTAssertEqual(response["team"]?["version"] as? String, "1", "uint64 as a string, as proto3 JSON has it")

        let folder = try TemporaryFolder()
        let request = folder.path("add.json")
        try Data(#"{"teamId": "\#(id)", "player": {"name": "Iker", "position": "POSITION_GK"}}"#.utf8).write(to: URL(fileURLWithPath: request))
        let added = try teams(["call", "AddPlayer", "-d", "@\(request)"], port: server.port)
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(added.stdout.contains(#""position": "POSITION_GK""#), added.stdout)
        let got = try teams(["call", "GetTeam", "-d", #"{"id": "\#(id)"}"#], port: server.port)
        XCTAssertTrue(got.stdout.contains(#""version": "2""#), got.stdout)

        let missing = try teams(["call", "GetTeam", "-d", #"{"id": "00000000000000000000"}"#], port: server.port)
        XCTAssertEqual(missing.status, 15, "10 + NOT_FOUND")
        XCTAssertTrue(missing.stderr.hasPrefix("NOT_FOUND: "), missing.stderr)
        let missingJSON = try teams(["call", "GetTeam", "-d", #"{"id": "00000000000000000000"}"#, "--json"], port: server.port)
        let error = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(missingJSON.stderr.utf8)) as? [String: String], missingJSON.stderr)
        XCTAssertEqual(error["code"], "NOT_FOUND")
        XCTAssertNotNil(error["message"])

        let badField = try teams(["call", "GetTeam", "-d", #"{"teamId": "x"}"#], port: server.port)
        XCTAssertEqual(badField.status, 64)
        XCTAssertEqual(badField.stderr, "Error: -d: teams.v1.GetTeamRequest: no field \"teamId\"; teams.v1.GetTeamRequest has id\n")
        let unknown = try teams(["call", "Nope"], port: server.port)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("no method \"Nope\""), unknown.stderr)

        // A streaming method prints each message; stdin gives the request.
        let watch = Process()
        watch.executableURL = try builtExecutable("teams")
        watch.arguments = ["call", "WatchEvents", "-d", "-"]
        watch.environment = ["TEAMS_SERVER": "127.0.0.1:\(server.port)"]
        let input = Pipe()
        let out = Pipe()
        watch.standardInput = input
        watch.standardOutput = out
        watch.standardError = FileHandle.nullDevice
        try watch.run()
        input.fileHandleForWriting.write(Data(#"{"fromSequence": "1"}"#.utf8))
        try input.fileHandleForWriting.close()
        try await Task.sleep(for: .seconds(1))
        kill(watch.processIdentifier, SIGINT)
        let streamed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watch.waitUntilExit()
        XCTAssertTrue(streamed.contains(#""kind": "KIND_TEAM_CREATED""#) && streamed.contains(#""kind": "KIND_PLAYER_ADDED""#), streamed)
    }

    /// `teams describe` lists the methods, and prints a method's or a message's fields.
    func testDescribePrintsMethodsAndMessages() throws {
        let all = try teams(["describe"], port: 1)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("  rpc WatchEvents(teams.v1.WatchEventsRequest) returns (stream teams.v1.TeamEvent);"), all.stdout)
        XCTAssertTrue(all.stdout.contains("service teams.v1.Health {"), all.stdout)
        let method = try teams(["describe", "RenameTeam"], port: 1)
        XCTAssertTrue(method.stdout.contains("message teams.v1.RenameTeamRequest {\n  string id = 1;\n  string name = 2;\n  uint64 expected_version = 3;\n}"), method.stdout)
        let message = try teams(["describe", "Player", "--json"], port: 1)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(message.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["name"] as? String, "teams.v1.Player")
        XCTAssertEqual((json["fields"] as? [[String: Any]])?.map { $0["type"] as? String }, ["string", "teams.v1.Position"])
        let unknown = try teams(["describe", "Nope"], port: 1)
        XCTAssertEqual(unknown.status, 64)
    }

    /// A big seed is made once and searched by later runs: `--seeded` skips seeding, and
    /// every search term the bench draws is a valid one.
    func testBenchSearchesTeamsAnEarlierRunSeeded() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let common = ["bench", "--teams", "150", "--players-per-team", "0", "--mix", "search=100", "--duration", "1s", "--warmup", "200ms",
            "--connections", "1", "--in-flight", "2", "--json"]

        let first = try teams(common, port: server.port)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("seeding 150 teams"), first.stderr)
        let again = try teams(common + ["--seeded", "--search-term-length", "1-8"], port: server.port)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertFalse(again.stderr.contains("seeding"), again.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        XCTAssertGreaterThan(report["calls"] as? Int ?? 0, 0)
        XCTAssertEqual((report["errors"] as? [String: Int])?.isEmpty, true, "\(report)")

        let needsIDs = try teams(["bench", "--seeded", "--mix", "get=100"], port: server.port)
        XCTAssertNotEqual(needsIDs.status, 0)
        XCTAssertTrue(needsIDs.stderr.contains("--seeded works with a --mix of search, create and delete only"), needsIDs.stderr)
        let badLength = try teams(common + ["--search-term-length", "0-3"], port: server.port)
        XCTAssertNotEqual(badLength.status, 0)
        XCTAssertTrue(badLength.stderr.contains("--search-term-length must be N or MIN-MAX within 1-8, got \"0-3\""), badLength.stderr)
    }
}
