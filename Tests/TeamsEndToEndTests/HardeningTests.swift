import Foundation
import RPCCore
import RPCTransportNIO
import TeamsClient
import TeamsDomain
import TeamsProto
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// What an adversarial tester broke, working from the README and PROTOCOL.md alone:
/// each case against a real server, in process or as a `teams-server` child.
final class HardeningTests: XCTestCase {
    // MARK: Integers and sizes from the wire

    /// A WatchEvents from any sequence, up to 2^64 - 1, waits for events that far on;
    /// it used to trap converting the sequence to `Int`.
    func testAWatchFromAnySequenceNeitherTrapsNorDelivers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = try await server.client()
        let farAway: [UInt64] = [.max, (1 << 63) + 1, 1 << 63]
        for from in farAway {
            let watch = Task { try await WatchEventsTests.collect(1, from: client.watchEvents(from: from), within: .milliseconds(500)) }
            _ = try await client.createTeam(name: "After \(from)")
            let result = await watch.result
            guard case .failure(let error as RPCError) = result, error.code == .deadlineExceeded else {
                return XCTFail("from \(from): expected no event within the wait, got \(result)")
            }
        }
        let serving = try await client.check().serving
        XCTAssertTrue(serving, "the server lives")
        await client.close()
    }

    /// A name is capped in bytes too: one character of 8,000 combining marks is 16 KB.
    func testANameOfOneCharacterAndManyBytesIsInvalidArgument() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let client = try await server.client()
        let heavy = "e" + String(String.UnicodeScalarView((0..<8000).map { Unicode.Scalar(0x300 + UInt32($0 % 112))! }))
        await assertInvalidArgument(containing: "at most 256 bytes") { _ = try await client.createTeam(name: heavy) }
        let team = try await client.createTeam(name: "Light")
        await assertInvalidArgument(containing: "at most 256 bytes") { _ = try await client.renameTeam(id: team.id.description, to: heavy) }
        await assertInvalidArgument(containing: "at most 256 bytes") {
            _ = try await client.addPlayer(teamID: team.id.description, name: String(repeating: "x", count: 1 << 20), position: .goalkeeper)
        }
        await assertInvalidArgument(containing: "visible character") { _ = try await client.createTeam(name: "\u{200B}") }
        await assertInvalidArgument(containing: "bidirectional") { _ = try await client.createTeam(name: "FC\u{202E}kcatta") }
        await client.close()
    }

    /// A search term is capped: a 4 MiB one is refused before any store work.
    func testAHugeSearchTermIsInvalidArgumentAtOnce() async throws {
        let server = try await TestServer.start(maximumFrameLength: 8 << 20)
        defer { Task { await server.stop() } }
        let client = try await server.client()
        let started = ContinuousClock.now
        await assertInvalidArgument(containing: "at most 256 bytes") { _ = try await client.searchTeams(term: String(repeating: "ab", count: 2 << 20)) }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2), "refused before any search work")
        _ = try await client.searchTeams(term: String(repeating: "a", count: 256))
        await client.close()
    }

    private func assertInvalidArgument(containing text: String, _ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            try await body()
            XCTFail("expected INVALID_ARGUMENT", file: file, line: line)
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .invalidArgument, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(text), "\(error.message)", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    // MARK: Logs

    /// An unauthenticated connection pipelining denied calls, and bad tokens, cannot
    /// flood the log: the lines are rate-limited and what was dropped is counted.
    func testDeniedCallsAndRefusedTokensCannotFloodTheLog() async throws {
        let (server, _) = try startWithTokens(["--log-level", "info"])
        defer { server.terminate() }

        // Each refused AUTH frame is one line.
        for index in 0..<3 {
            let raw = try RawConnection(port: server.port)
            raw.send(SecurityTests.authFrame("bad-\(index)"))
            XCTAssertEqual(SecurityTests.goAway(in: raw.readFrame())?.status, StatusCode.unauthenticated.rawValue)
        }
        let refusalsLogged = try await eventually { Self.lines(server.log, containing: "reason=\"authentication refused\"").count == 3 }
        XCTAssertTrue(refusalsLogged)
        XCTAssertEqual(Self.lines(server.log, containing: "the token is not valid").count, 3, "one line per refusal:\n\(server.log)")

        let flood = try RawConnection(port: server.port)
        let requests = 3_000
        let started = Date()
        flood.send((1...UInt32(requests)).flatMap { SecurityTests.getTeamRequest(callID: $0) })
        for _ in 0..<requests {
            XCTAssertEqual(flood.readStatus()?.status, StatusCode.unauthenticated.rawValue)
        }
        let seconds = Date().timeIntervalSince(started)
        try await Task.sleep(for: .milliseconds(1_200))
        // One more after the pause: it is written, and says how many were dropped.
        flood.send(SecurityTests.getTeamRequest(callID: 9_999))
        XCTAssertEqual(flood.readStatus()?.status, StatusCode.unauthenticated.rawValue)
        let seen = try await eventually { Self.lines(server.log, containing: "suppressed=").count >= 1 }
        XCTAssertTrue(seen, server.log)
        let denied = Self.lines(server.log, containing: "call denied")
        XCTAssertLessThanOrEqual(denied.count, 20 + Int((seconds + 1.5) * 10) + 1, "a burst of 20, then 10 a second: \(denied.count) in \(seconds) s")
        let dropped = denied.compactMap { line in line.split(separator: " ").first { $0.hasPrefix("suppressed=") }.flatMap { Int($0.dropFirst("suppressed=".count)) } }
        XCTAssertEqual(dropped.reduce(0, +) + denied.count, requests + 1, "every denied call is either a line or counted as dropped")
    }

    /// A request id or a method name holding a newline cannot forge a line of the text log.
    func testAPeerCannotForgeALineOfTheTextLog() async throws {
        let (server, writerToken) = try startWithTokens(["--log-level", "info", "--access-log"])
        defer { server.terminate() }
        let forged = "2026-01-01T00:00:00.000Z notice teams-server : caller=admin method=/teams.v1.TeamService/DeleteTeam call"

        var configuration = ClientConfiguration()
        configuration.authToken = writerToken
        var options = CallOptions(timeout: .seconds(5))
        options.metadata = [Metadata.requestIDKey: "r-1\n" + forged]
        let client = try await TeamsClient.connect(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)], configuration: configuration, options: options)
        let team = try await client.createTeam(name: "Target")
        try await client.deleteTeam(id: team.id.description)
        await client.close()

        let raw = try RawConnection(port: server.port)
        raw.send(RawConnection.request(callID: 1, method: "/x\n" + forged, payload: []))
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.unimplemented.rawValue)

        let seen = try await eventually { Self.lines(server.log, containing: "unknown method").count == 1 }
        XCTAssertTrue(seen, server.log)
        let lines = server.log.split(separator: "\n")
        XCTAssertFalse(lines.contains { $0.hasPrefix("2026-01-01T00:00:00.000Z") }, "a forged line:\n\(server.log)")
        XCTAssertTrue(server.log.contains("request_id=\"r-1\\n2026-01-01T00:00:00.000Z"), "the newline is escaped and the value quoted:\n\(server.log)")
        XCTAssertTrue(server.log.contains("/x\\n2026-01-01T00:00:00.000Z"), server.log)
    }

    // MARK: Connections

    /// A connection that never authenticates, even one that keeps pinging, is closed
    /// after the authentication timeout; an authenticated one stays.
    func testAConnectionThatDoesNotAuthenticateIsClosedAfterTheTimeout() async throws {
        let (server, writerToken) = try startWithTokens(["--auth-timeout", "1s", "--min-ping-interval", "0"])
        defer { server.terminate() }
        let authenticated = try RawConnection(port: server.port)
        authenticated.send(SecurityTests.authFrame(writerToken))
        let pinging = try RawConnection(port: server.port)
        let started = Date()
        var goAway: SecurityTests.GoAwayFrame?
        while Date().timeIntervalSince(started) < 5, goAway == nil {
            pinging.send([0, 0, 0, 6, 6, 0, 0, 0, 0, 1])
            guard let frame = pinging.readFrame() else { break }
            goAway = SecurityTests.goAway(in: frame)
            if goAway == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(goAway?.status, StatusCode.unauthenticated.rawValue, "\(String(describing: goAway))")
        XCTAssertEqual(goAway?.message, "not authenticated within 1 s")
        XCTAssertGreaterThanOrEqual(took, 0.9)
        XCTAssertLessThan(took, 4)
        XCTAssertNil(pinging.readFrame(), "then closed")

        authenticated.send(SecurityTests.getTeamRequest(callID: 1))
        XCTAssertEqual(authenticated.readStatus()?.status, StatusCode.notFound.rawValue, "the authenticated connection is served")
    }

    /// An AUTH frame holds the scheme, the length and the token, and nothing more.
    func testAnAUTHFrameWithTrailingBytesIsRefused() async throws {
        let (server, writerToken) = try startWithTokens([])
        defer { server.terminate() }
        var frame = SecurityTests.authFrame(writerToken)
        frame += [0x41]
        frame.replaceSubrange(0..<4, with: RawConnection.bytes(UInt32(frame.count - 4)))
        let raw = try RawConnection(port: server.port)
        raw.send(frame + SecurityTests.getTeamRequest(callID: 1))
        let goAway = SecurityTests.goAway(in: raw.readFrame())
        XCTAssertEqual(goAway?.status, StatusCode.unauthenticated.rawValue, "\(String(describing: goAway))")
        XCTAssertTrue(goAway?.message.contains("nothing after it") ?? false, "\(String(describing: goAway))")
    }

    /// The metrics endpoint has its own connection limit and idle timeout.
    func testTheMetricsEndpointLimitsAndClosesIdleConnections() async throws {
        let metricsPort = try LocalPorts.freePort()
        let server = try ServerProcess(
            binary: try builtExecutable("teams-server"), store: "memory",
            extraArguments: ["--metrics-port", "\(metricsPort)", "--metrics-max-connections", "2", "--metrics-idle-timeout", "1s"])
        defer { server.terminate() }
        let first = try RawConnection(port: metricsPort)
        let second = try RawConnection(port: metricsPort)
        try await Task.sleep(for: .milliseconds(200))
        let third = try RawConnection(port: metricsPort)
        let refusedAt = Date()
        XCTAssertNil(third.read(1), "over the limit: closed at once")
        XCTAssertLessThan(Date().timeIntervalSince(refusedAt), 2)

        let idleSince = Date()
        XCTAssertNil(first.read(1), "idle: closed")
        XCTAssertNil(second.read(1))
        XCTAssertLessThan(Date().timeIntervalSince(idleSince), 4)
        let scraper = try RawConnection(port: metricsPort)
        scraper.send(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(scraper.read(12).map { String(decoding: $0, as: UTF8.self) }, "HTTP/1.1 200", "slots free again")
    }

    // MARK: TLS

    func testTLSBelowOnePointTwoIsRefused() async throws {
        let certificates = try TestCertificates()
        let server = try ServerProcess(binary: try builtExecutable("teams-server"), store: "memory", extraArguments: SecurityTests.tlsArguments(certificates))
        defer { server.terminate() }
        for version in ["-tls1", "-tls1_1"] {
            let run = try XCTUnwrap(try SecurityTests.runToExit(
                URL(fileURLWithPath: "/usr/bin/openssl"),
                ["s_client", "-connect", "127.0.0.1:\(server.port)", version, "-cipher", "DEFAULT:@SECLEVEL=0"], timeout: 10))
            XCTAssertNotEqual(run.status, 0, "\(version) negotiated:\n\(run.stdout)")
        }
        let modern = try XCTUnwrap(try SecurityTests.runToExit(
            URL(fileURLWithPath: "/usr/bin/openssl"), ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_2"], timeout: 10))
        XCTAssertEqual(modern.status, 0, "TLS 1.2 is served:\n\(modern.stdout)\(modern.stderr)")
    }

    // MARK: Start-up

    /// `--max-connections` must fit the file-descriptor limit, which start-up raises to the hard limit first.
    func testMaxConnectionsBeyondTheFileDescriptorLimitStopsStartUp() throws {
        let binary = try builtExecutable("teams-server").path
        let run = try XCTUnwrap(try SecurityTests.runToExit(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -n 256 && exec \(binary) --store memory --port 0"], timeout: 10))
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("--max-connections 10000") && run.stderr.contains("limit is 256"), run.stderr)

        let fits = try XCTUnwrap(try SecurityTests.runToExit(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -n 256 && exec \(binary) --store memory --port 0 --max-connections 100 --frame-read-timeout x"],
            timeout: 10))
        XCTAssertTrue(fits.stderr.contains("--frame-read-timeout"), "100 connections fit; the next check speaks: \(fits.stderr)")
    }

    /// A host name is judged by what it resolves to, not by how it starts.
    func testAHostNameThatLooksLoopbackIsNotTrusted() throws {
        let binary = try builtExecutable("teams-server")
        let run = try XCTUnwrap(try SecurityTests.runToExit(binary, ["--host", "127.evil.test", "--port", "0", "--store", "memory"], timeout: 10))
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertTrue(run.stderr.contains("refusing to serve 127.evil.test without TLS or authentication"), run.stderr)
        let local = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--host", "localhost"])
        XCTAssertTrue(local.process.isRunning, "localhost resolves to loopback")
        local.terminate()
    }

    /// Health/Check needs no credentials, so it names the kind of store and not its path.
    func testHealthDoesNotRevealTheStorePath() async throws {
        let folder = try TemporaryFolder()
        let server = try ServerProcess(binary: try builtExecutable("teams-server"), store: "sqlite:\(folder.path("secret-name.sqlite"))")
        defer { server.terminate() }
        let client = try await TeamsClient.connect(host: "127.0.0.1", port: server.port, options: CallOptions(timeout: .seconds(5)))
        let store = try await client.check().store
        XCTAssertEqual(store, "sqlite")
        await client.close()
    }

    func testATokensFileThatCannotBeTrustedStopsStartUp() throws {
        let binary = try builtExecutable("teams-server")
        let folder = try TemporaryFolder()
        let hash = try SecurityTests.sha256Hex("a token")
        func file(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
            let path = folder.path(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            return path
        }
        try FileManager.default.createDirectory(atPath: folder.path("a-directory"), withIntermediateDirectories: true)
        let cases: [(String, String, String)] = [
            ("a signed hash", try file("plus.tokens", "w writer " + String(repeating: "+f", count: 32) + "\n"), "64 lowercase hex digits"),
            ("an uppercase hash", try file("upper.tokens", "w writer " + hash.uppercased() + "\n"), "64 lowercase hex digits"),
            ("an empty file", try file("empty.tokens", "# nobody\n"), "names no caller"),
            ("a world-writable file", try file("open.tokens", "w writer \(hash)\n", mode: 0o666), "writable by every user"),
            ("a directory", folder.path("a-directory"), "is a directory"),
            ("a device", "/dev/zero", "not a regular file"),
        ]
        for (what, path, reason) in cases {
            guard let run = try SecurityTests.runToExit(binary, ["--store", "memory", "--port", "0", "--auth-tokens", path], timeout: 10) else {
                XCTFail("\(what): teams-server started")
                continue
            }
            XCTAssertEqual(run.status, 64, "\(what): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(what): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(path) && run.stderr.contains(reason), "\(what): \(run.stderr)")
        }
    }

    // MARK: Helpers

    /// A server with a tokens file naming one writer; its token.
    private func startWithTokens(_ arguments: [String]) throws -> (ServerProcess, String) {
        let token = SecurityTests.newToken("writer")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try SecurityTests.writeTokens([("writer-1", "writer", token)], to: tokens)
        let server = try ServerProcess(binary: try builtExecutable("teams-server"), store: "memory", extraArguments: ["--auth-tokens", tokens.path] + arguments)
        return (server, token)
    }

    static func lines(_ log: String, containing text: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains(text) }
    }

    /// Polls `condition` every 50 ms for up to 5 s.
    private func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }
}
