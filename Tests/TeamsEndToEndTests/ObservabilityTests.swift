import AsyncHTTPClient
import Foundation
import NIOCore
import RPCCore
import TeamsClient
import TeamsTestSupport
import XCTest

/// `/metrics`, JSON logs with the request id and `traceparent`, and the bench's HTML
/// report, against real `teams-server` processes, scraped with a real HTTP client.
final class ObservabilityTests: XCTestCase {
    static let getTeam = "/teams.v1.TeamService/GetTeam"
    static let createTeam = "/teams.v1.TeamService/CreateTeam"
    static let missingID = "00000000000000000000"
    static let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    func testMetricsCountEveryCallByMethodAndStatus() async throws {
        let metricsPort = try LocalPorts.freePort()
        let server = try ServerProcess(
            binary: try builtExecutable("teams-server"), store: "memory", extraArguments: ["--metrics-port", "\(metricsPort)"])
        defer { server.terminate() }

        let client = try await TeamsClient.connect(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)])
        var ids: [String] = []
        for name in ["Ajax", "Benfica", "Celtic"] { ids.append(try await client.createTeam(name: name).id.description) }
        for id in ids.prefix(2) { _ = try await client.getTeam(id: id) }
        await assertThrows(.notFound) { _ = try await client.getTeam(id: Self.missingID) }
        await assertThrows(.invalidArgument) { _ = try await client.getTeam(id: "nope") }
        await client.close()

        // Bad frames on a raw socket: a payload that does not decode, and a method nobody serves.
        let raw = try RawConnection(port: server.port)
        raw.send(RawConnection.request(callID: 1, method: Self.getTeam, payload: [0xFF, 0xFF, 0xFF]))
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.invalidArgument.rawValue)
        raw.send(RawConnection.request(callID: 2, method: "/teams.v1.TeamService/Nope", payload: []))
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.unimplemented.rawValue)

        let text = try await scrape(port: metricsPort)
        let samples = Self.samples(text)
        func value(_ series: String) -> Double? { samples[series] }
        XCTAssertEqual(value(#"rpc_server_calls_total{method="\#(Self.createTeam)",code="OK"}"#), 3, text)
        XCTAssertEqual(value(#"rpc_server_calls_total{method="\#(Self.getTeam)",code="OK"}"#), 2)
        XCTAssertEqual(value(#"rpc_server_calls_total{method="\#(Self.getTeam)",code="NOT_FOUND"}"#), 1)
        XCTAssertEqual(value(#"rpc_server_calls_total{method="\#(Self.getTeam)",code="INVALID_ARGUMENT"}"#), 2, "a bad id and an undecodable payload")
        XCTAssertEqual(value(#"rpc_server_calls_total{method="unknown",code="UNIMPLEMENTED"}"#), 1)
        XCTAssertNil(value(#"rpc_server_calls_total{method="\#(Self.getTeam)",code="INTERNAL"}"#), "no series for a status never seen")
        // Every GetTeam that reached its handler was timed; every histogram ends at +Inf.
        XCTAssertEqual(value(#"rpc_server_call_duration_seconds_count{method="\#(Self.getTeam)"}"#), 5)
        XCTAssertEqual(value(#"rpc_server_call_duration_seconds_bucket{method="\#(Self.getTeam)",le="+Inf"}"#), 5)
        XCTAssertEqual(value(#"rpc_server_calls_in_flight{method="\#(Self.getTeam)"}"#), 0)
        XCTAssertEqual(value(#"rpc_server_frames_rejected_total{cause="undecodable"}"#), 1)
        XCTAssertEqual(value(#"rpc_server_frames_rejected_total{cause="unknown_method"}"#), 1)
        XCTAssertEqual(value(#"rpc_server_frames_rejected_total{cause="oversized"}"#), 0)
        XCTAssertEqual(value("rpc_server_connections_accepted_total"), 3, "ServerProcess's readiness probe, the client's and the raw socket's")
        XCTAssertEqual(value(#"rpc_server_connections_rejected_total{cause="limit"}"#), 0)
        // The store saw the creates and the reads with a valid id; a malformed id never reaches it.
        XCTAssertEqual(value(#"teams_store_operation_duration_seconds_count{operation="create",store="memory"}"#), 3)
        XCTAssertEqual(value(#"teams_store_operation_duration_seconds_count{operation="get",store="memory"}"#), 3)
        XCTAssertEqual(value("teams_events_stored_sequence"), 3)
        XCTAssertGreaterThan(value("process_resident_memory_bytes") ?? 0, 1_000_000)
        XCTAssertGreaterThan(value("process_open_fds") ?? 0, 3)
        XCTAssertGreaterThan(value("process_cpu_seconds_total") ?? 0, 0)
        // The build, as Prometheus' *_build_info convention has it: labels, and the value 1.
        let build = try XCTUnwrap(samples.first { $0.key.hasPrefix("teams_build_info{") }, text)
        XCTAssertEqual(build.value, 1)
        XCTAssertNotNil(build.key.range(of: #"version="\d+\.\d+\.\d+",commit="[^"]+",swift="\d+\.\d+"#, options: .regularExpression), build.key)

        try Self.assertPassesPromtool(text)
    }

    func testMetricsEndpointAnswersOnlyGETMetrics() async throws {
        let metricsPort = try LocalPorts.freePort()
        let server = try ServerProcess(
            binary: try builtExecutable("teams-server"), store: "memory", extraArguments: ["--metrics-port", "\(metricsPort)"])
        defer { server.terminate() }
        let other = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/"), timeout: .seconds(10))
        XCTAssertEqual(other.status, .notFound)
        var post = HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics")
        post.method = .POST
        let posted = try await HTTPClient.shared.execute(post, timeout: .seconds(10))
        XCTAssertEqual(posted.status, .methodNotAllowed)
        // A second scrape on the same kept-alive pool still answers.
        _ = try await scrape(port: metricsPort)
        let text = try await scrape(port: metricsPort)
        XCTAssertTrue(text.contains("# TYPE rpc_server_calls_total counter"), text)
    }

    func testJSONAccessLogCarriesTheRequestIDAndTraceparent() async throws {
        let server = try ServerProcess(
            binary: try builtExecutable("teams-server"), store: "memory",
            extraArguments: ["--log-format", "json", "--access-log", "--log-level", "info"])
        defer { server.terminate() }
        var options = CallOptions(timeout: .seconds(5))
        options.metadata = [Metadata.requestIDKey: "req-42", TraceContext.metadataKey: Self.traceParent]
        let client = try await TeamsClient.connect(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)], options: options)
        let team = try await client.createTeam(name: "Traced")
        var untraced = client
        untraced.options.metadata = [Metadata.requestIDKey: "req-43", TraceContext.metadataKey: "not-a-traceparent"]
        await assertThrows(.notFound) { _ = try await untraced.getTeam(id: Self.missingID) }
        await client.close()

        let lines = try await eventually { () -> [[String: String]]? in
            let lines = server.log.split(separator: "\n").map(String.init)
            let parsed = try lines.map { line in
                try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not a JSON object of strings: \(line)")
            }
            let done = parsed.filter { $0["message"] == "call" }.count >= 2 && parsed.contains { $0["message"] == "TeamCreated" }
            return done ? parsed : nil
        }
        for line in lines {
            for field in ["time", "level", "logger", "message"] { XCTAssertNotNil(line[field], "\(field) missing in \(line)") }
        }
        let created = try XCTUnwrap(lines.first { $0["message"] == "call" && $0["request_id"] == "req-42" }, "\(lines)")
        XCTAssertEqual(created["method"], Self.createTeam)
        XCTAssertEqual(created["status"], "OK")
        XCTAssertEqual(created["traceparent"], Self.traceParent)
        XCTAssertEqual(created["level"], "info")
        XCTAssertNotNil(created["duration_us"].flatMap(Int.init), "\(created)")
        let missing = try XCTUnwrap(lines.first { $0["message"] == "call" && $0["request_id"] == "req-43" }, "\(lines)")
        XCTAssertEqual(missing["method"], Self.getTeam)
        XCTAssertEqual(missing["status"], "NOT_FOUND")
        XCTAssertEqual(missing["traceparent"], "-", "an invalid traceparent is not carried")
        // The event relay's line is JSON too, with the event's fields.
        XCTAssertEqual(lines.first { $0["message"] == "TeamCreated" }?["team_id"], team.id.description)
    }

    func testBenchReportRendersItsPlotsInHeadlessChromium() async throws {
        let chromium = try Self.tool("chromium")
        let server = try ServerProcess(binary: try builtExecutable("teams-server"), store: "memory")
        defer { server.terminate() }
        let folder = try TemporaryFolder()
        let report = folder.url.appendingPathComponent("run.html")
        let bench = try BenchProcess(arguments: [
            "--server", "127.0.0.1:\(server.port)", "--duration", "3s", "--warmup", "500ms", "--connections", "2", "--in-flight", "4",
            "--teams", "10", "--mix", "get=100", "--report", report.path,
        ])
        // Two of the seeded teams go while the bench reads them: its gets of those fail NOT_FOUND.
        try bench.waitUntilMeasuring()
        let client = try await TeamsClient.connect(host: "127.0.0.1", port: server.port)
        for team in try await client.searchTeams(term: "b").teams.prefix(2) { try await client.deleteTeam(id: team.id.description) }
        await client.close()
        let summary = try bench.report()
        XCTAssertGreaterThan(summary["calls"] as? Int ?? 0, 0)
        let html = try String(contentsOf: report, encoding: .utf8)
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "self-contained: no external resources")

        // Rendered by a real browser: the DOM after layout has each plot with data in it.
        let dom = try Self.run(chromium, Self.chromiumFlags + ["--dump-dom", report.absoluteString])
        for plot in ["throughput", "latency", "status"] {
            let start = try XCTUnwrap(dom.range(of: #"id="\#(plot)""#), "plot \(plot) missing")
            let rest = dom[start.upperBound...]
            let end = rest.range(of: "</svg>")?.lowerBound ?? rest.endIndex
            let svg = rest[..<end]
            XCTAssertTrue(svg.contains("<polyline") || svg.contains("<rect class=\"bar\""), "plot \(plot) has no data: \(svg.prefix(400))")
            if let points = svg.range(of: #"points="([^"]*)""#, options: .regularExpression) {
                XCTAssertGreaterThanOrEqual(svg[points].split(separator: " ").count, 2, "plot \(plot) has fewer than two points")
            }
        }
        XCTAssertTrue(dom.contains("NOT_FOUND"), "calls by status name the errors the mix causes")

        let screenshot = folder.url.appendingPathComponent("run.png")
        _ = try Self.run(chromium, Self.chromiumFlags + ["--window-size=1200,1600", "--screenshot=\(screenshot.path)", report.absoluteString])
        let size = try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int ?? 0
        // A blank 1200×1600 PNG compresses to a few KB; three plots with text and lines do not.
        XCTAssertGreaterThan(size, 30_000, "screenshot of \(size) bytes looks blank")
    }

    // MARK: Helpers

    static let chromiumFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=2000"]

    func scrape(port: Int) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.first(name: "content-type"), "text/plain; version=0.0.4; charset=utf-8")
        return String(buffer: try await response.body.collect(upTo: 4 << 20))
    }

    /// Each sample line of the text format, `name{labels}` to its value.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func assertPassesPromtool(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let promtool = try tool("promtool")
        let process = Process()
        process.executableURL = promtool
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "promtool check metrics: \(said)", file: file, line: line)
    }

    /// A tool `make test` installs from Debian; without it the test fails, saying how to get it.
    static func tool(_ name: String) throws -> URL {
        let path = ["/usr/bin", "/usr/local/bin", "/bin"].map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try XCTUnwrap(path.map(URL.init(fileURLWithPath:)), "\(name) is not installed: run `make deps` (Debian's \(name == "promtool" ? "prometheus" : name) package)")
    }

    /// Runs `tool` to its exit (60 s at most) and returns its stdout; a non-zero exit fails.
    static func run(_ tool: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let timer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: timer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "\(tool.lastPathComponent) \(arguments): \(stderr)")
        return String(decoding: data, as: UTF8.self)
    }

    func assertThrows(_ code: StatusCode, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async {
        do {
            try await body()
            XCTFail("expected \(code)", file: file, line: line)
        } catch let error as RPCError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    /// Polls `body` every 50 ms for up to 10 s until it returns a value.
    func eventually<T>(_ body: () throws -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let value = try body() { return value }
            if Date() > deadline { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "still not so after 10 s"]) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
