import Foundation
import RPCCore
import RPCTransportNIO
import TeamsClient
import TeamsDomain
import TeamsTestSupport
import XCTest

/// TLS, mutual TLS, tokens, roles and the secure-by-default rule, against real
/// `teams-server` processes on loopback, through `TeamsClient`, the `teams` CLI and raw sockets.
final class SecurityTests: XCTestCase {
    static let missingID = "00000000000000000000"
    static let unauthenticatedMessage = "authenticate with a token (AUTH frame) or a client certificate"

    // MARK: TLS

    func testTLSRoundTripThroughTheClientAndTheCLI() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: Self.tlsArguments(certificates))
        defer { server.terminate() }

        let client = try await makeClient(port: server.port, tls: ClientTLS(trustRootsFile: certificates.caCertificate.path))
        let created = try await client.createTeam(name: "TLS United")
        let read = try await client.getTeam(id: created.id.description)
        XCTAssertEqual(read, created)
        await client.close()

        let address = "127.0.0.1:\(server.port)"
        let viaCLI = try teams(["create", "TLS City", "--server", address, "--tls-ca", certificates.caCertificate.path, "--json"])
        XCTAssertEqual(viaCLI.status, 0, viaCLI.stderr)
        XCTAssertTrue(viaCLI.stdout.contains("\"name\":\"TLS City\""), viaCLI.stdout)
        // The same through the variables.
        let viaVariables = try teams(["get", created.id.description], environment: ["TEAMS_SERVER": address, "TEAMS_TLS_CA": certificates.caCertificate.path])
        XCTAssertEqual(viaVariables.status, 0, viaVariables.stderr)
        XCTAssertTrue(viaVariables.stdout.contains("TLS United"), viaVariables.stdout)

        // --tls trusts the system's roots, which do not include the test CA (a machine
        // without a trust store may fail earlier, but it must fail).
        let systemTrust = try teams(["health", "--server", address, "--tls", "--timeout", "2"])
        XCTAssertNotEqual(systemTrust.status, 0, systemTrust.stdout)
        if systemTrust.status == 24 {
            XCTAssertTrue(Self.namesTheTLSCause(systemTrust.stderr), systemTrust.stderr)
        }
        // Plaintext against the TLS port fails too.
        let plaintext = try teams(["health", "--server", address, "--timeout", "2"])
        XCTAssertTrue([24, 14].contains(plaintext.status), "UNAVAILABLE or DEADLINE_EXCEEDED: \(plaintext.status) \(plaintext.stderr)")
    }

    /// The wrong kind of port fails at once, saying what answered and what to try.
    func testTheWrongKindOfPortSaysWhatToTry() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let ca = certificates.caCertificate.path
        let metricsPort = try LocalPorts.freePort()
        let plain = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--metrics-port", "\(metricsPort)"])
        defer { plain.terminate() }
        let tls = try ServerProcess(binary: binary, store: "memory", extraArguments: Self.tlsArguments(certificates))
        defer { tls.terminate() }
        let mutual = try ServerProcess(binary: binary, store: "memory", extraArguments: Self.tlsArguments(certificates) + ["--tls-client-ca", ca])
        defer { mutual.terminate() }

        let cases: [(arguments: [String], says: String)] = [
            (["--server", "127.0.0.1:\(tls.port)"], "the server answered in TLS: it serves TLS on this port, so connect with TLS (teams --tls)"),
            (["--server", "127.0.0.1:\(plain.port)", "--tls-ca", ca], "it may not serve TLS on this port (try without --tls)"),
            (["--server", "127.0.0.1:\(metricsPort)"], "the server answered in HTTP: this is an HTTP port (the metrics port?)"),
            (["--server", "127.0.0.1:\(mutual.port)", "--tls-ca", ca], "the server requires a client certificate (mutual TLS): give one (teams --tls-cert and --tls-key)"),
            (["--server", "127.0.0.1:\(tls.port)", "--tls-ca", certificates.otherCACertificate.path], "the server's certificate is not trusted: give the CA that signed it (teams --tls-ca)"),
        ]
        for (arguments, says) in cases {
            let started = Date()
            let run = try teams(["health", "--timeout", "10"] + arguments)
            let took = Date().timeIntervalSince(started)
            XCTAssertEqual(run.status, 24, "10 + UNAVAILABLE: \(arguments) \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(says), "\(arguments): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains(".cc:") || run.stderr.contains("/Sources/"), "no build paths: \(run.stderr)")
            XCTAssertLessThan(took, 5, "\(arguments) failed at once, not after its 10 s timeout")
        }

        // curl on the RPC port is told what the port is.
        let http = try RawConnection(port: plain.port)
        http.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let reply = String(decoding: http.readAll(), as: UTF8.self)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), reply)
        XCTAssertTrue(reply.contains("binary protocol"), reply)
    }

    func testRefusedHandshakesAreClearErrorsAndTheServerKeepsServing() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let server = try ServerProcess(
            binary: binary, store: "memory", extraArguments: Self.tlsArguments(certificates) + ["--tls-handshake-timeout", "1s"])
        defer { server.terminate() }
        let good = ClientTLS(trustRootsFile: certificates.caCertificate.path)

        // A client that trusts another CA refuses the server's certificate.
        await assertRefused(port: server.port, tls: ClientTLS(trustRootsFile: certificates.otherCACertificate.path), namesTheCause: true, "other CA")
        // A plaintext client on the TLS port gets no answer it can read.
        await assertRefused(port: server.port, tls: nil, namesTheCause: false, "plaintext")
        // The CLI says the same, as UNAVAILABLE.
        let cli = try teams(["health", "--server", "127.0.0.1:\(server.port)", "--tls-ca", certificates.otherCACertificate.path, "--timeout", "2"])
        XCTAssertEqual(cli.status, 24, "10 + UNAVAILABLE: \(cli.stderr)")
        XCTAssertTrue(cli.stderr.hasPrefix("UNAVAILABLE: "), cli.stderr)
        XCTAssertTrue(Self.namesTheTLSCause(cli.stderr), cli.stderr)

        // A connection that never starts its handshake is cut off after --tls-handshake-timeout.
        let stalled = try RawConnection(port: server.port)
        let started = Date()
        XCTAssertNil(stalled.read(1), "the server sends nothing and closes")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "cut off after the 1 s handshake timeout, with slack")

        let client = try await makeClient(port: server.port, tls: good)
        let team = try await client.createTeam(name: "Still Serving")
        let read = try await client.getTeam(id: team.id.description)
        XCTAssertEqual(read, team)
        let refused = try await client.searchTeams(term: "Refused")
        XCTAssertEqual(refused.teams, [], "no refused client's call ran")
        await client.close()
    }

    func testAnExpiredServerCertificateIsRefused() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let server = try ServerProcess(
            binary: binary, store: "memory",
            extraArguments: Self.tlsArguments(certificates, certificate: certificates.expiredServerCertificate, key: certificates.expiredServerKey))
        defer { server.terminate() }
        let tls = ClientTLS(trustRootsFile: certificates.caCertificate.path)
        await assertRefused(port: server.port, tls: tls, namesTheCause: true, "expired, first")
        await assertRefused(port: server.port, tls: tls, namesTheCause: true, "expired, second")
        XCTAssertTrue(server.process.isRunning, "the server survives refused handshakes: \(server.log)")
        XCTAssertTrue(LocalPorts.isAccepting(port: server.port), "and still accepts connections")
    }

    func testAServerCertificateForAnotherHostIsRefusedUnlessTheNameIsOverridden() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let server = try ServerProcess(
            binary: binary, store: "memory",
            extraArguments: Self.tlsArguments(certificates, certificate: certificates.wrongHostServerCertificate, key: certificates.wrongHostServerKey))
        defer { server.terminate() }
        let ca = certificates.caCertificate.path
        await assertRefused(port: server.port, tls: ClientTLS(trustRootsFile: ca), namesTheCause: true, "wrong host")

        // The certificate is good for wrong.example: naming that host makes it acceptable.
        let client = try await makeClient(port: server.port, tls: ClientTLS(trustRootsFile: ca, serverHostname: "wrong.example"))
        let team = try await client.createTeam(name: "Named Host")
        let read = try await client.getTeam(id: team.id.description)
        XCTAssertEqual(read, team)
        await client.close()
        let cli = try teams(["health", "--server", "127.0.0.1:\(server.port)", "--tls-ca", ca, "--tls-server-name", "wrong.example"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
    }

    // MARK: Mutual TLS

    func testMutualTLSAdmitsOnlyClientsWithACertificateFromTheCA() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let ca = certificates.caCertificate.path
        let server = try ServerProcess(
            binary: binary, store: "memory",
            extraArguments: Self.tlsArguments(certificates) + ["--tls-client-ca", ca, "--log-level", "notice"])
        defer { server.terminate() }

        await assertRefused(port: server.port, tls: ClientTLS(trustRootsFile: ca), namesTheCause: false, "no client certificate")
        let mallory = ClientTLS(
            trustRootsFile: ca, certificateChainFile: certificates.malloryCertificate.path, privateKeyFile: certificates.malloryKey.path)
        await assertRefused(port: server.port, tls: mallory, namesTheCause: false, "mallory")

        let alice = ClientTLS(trustRootsFile: ca, certificateChainFile: certificates.aliceCertificate.path, privateKeyFile: certificates.aliceKey.path)
        let client = try await makeClient(port: server.port, tls: alice)
        let team = try await client.createTeam(name: "Alice FC")
        let read = try await client.getTeam(id: team.id.description)
        XCTAssertEqual(read, team)
        let refused = try await client.searchTeams(term: "Refused")
        XCTAssertEqual(refused.teams, [], "no refused client's call ran")
        await client.close()
        let audited = await waitForLog(server, toContain: "caller=alice")
        XCTAssertTrue(audited, "the CreateTeam is audited with the certificate's name: \(server.log)")
        XCTAssertFalse(server.log.contains("caller=mallory"), server.log)

        // The CLI, with the client certificate from the variables.
        let cli = try teams(
            ["create", "Alice Athletic", "--server", "127.0.0.1:\(server.port)", "--tls-ca", ca],
            environment: ["TEAMS_TLS_CLIENT_CERT": certificates.aliceCertificate.path, "TEAMS_TLS_CLIENT_KEY": certificates.aliceKey.path])
        XCTAssertEqual(cli.status, 0, cli.stderr)
    }

    /// With a tokens file, a certificate's name must have a line (its role applies);
    /// otherwise the connection needs an AUTH frame.
    func testCertificateCallersNeedALineInTheTokensFile() async throws {
        let binary = try builtExecutable("teams-server")
        let certificates = try TestCertificates()
        let ca = certificates.caCertificate.path
        let alice = ClientTLS(trustRootsFile: ca, certificateChainFile: certificates.aliceCertificate.path, privateKeyFile: certificates.aliceKey.path)
        let writerToken = Self.newToken("writer")
        let folder = try TemporaryFolder()

        let withoutAlice = folder.url.appendingPathComponent("without-alice.tokens")
        try Self.writeTokens([("writer-1", "writer", writerToken)], to: withoutAlice)
        do {
            let server = try ServerProcess(
                binary: binary, store: "memory",
                extraArguments: Self.tlsArguments(certificates) + ["--tls-client-ca", ca, "--auth-tokens", withoutAlice.path])
            defer { server.terminate() }
            let anonymous = try await makeClient(port: server.port, tls: alice)
            let denied = await outcome { _ = try await anonymous.createTeam(name: "Nameless") }
            XCTAssertEqual(denied?.code, .unauthenticated, "\(String(describing: denied))")
            XCTAssertEqual(denied?.message, Self.unauthenticatedMessage)
            await anonymous.close()
            let withToken = try await makeClient(port: server.port, tls: alice, token: writerToken)
            let team = try await withToken.createTeam(name: "Certificate And Token")
            XCTAssertEqual(team.name, "Certificate And Token")
            await withToken.close()
        }

        let aliceReads = folder.url.appendingPathComponent("alice-reads.tokens")
        try Self.writeTokens([("alice", "reader", nil), ("writer-1", "writer", writerToken)], to: aliceReads)
        do {
            let server = try ServerProcess(
                binary: binary, store: "memory",
                extraArguments: Self.tlsArguments(certificates) + ["--tls-client-ca", ca, "--auth-tokens", aliceReads.path])
            defer { server.terminate() }
            let reader = try await makeClient(port: server.port, tls: alice)
            let read = await outcome { _ = try await reader.getTeam(id: Self.missingID) }
            XCTAssertEqual(read?.code, .notFound, "a reader may call GetTeam: \(String(describing: read))")
            let delete = await outcome { try await reader.deleteTeam(id: Self.missingID) }
            XCTAssertEqual(delete?.code, .permissionDenied, "\(String(describing: delete))")
            XCTAssertEqual(delete?.message, "caller alice (reader) may not call /teams.v1.TeamService/DeleteTeam")
            await reader.close()
        }
    }

    // MARK: Tokens and roles

    enum Method: String, CaseIterable {
        case createTeam = "CreateTeam", getTeam = "GetTeam", renameTeam = "RenameTeam", deleteTeam = "DeleteTeam"
        case addPlayer = "AddPlayer", removePlayer = "RemovePlayer", searchTeams = "SearchTeams", watchEvents = "WatchEvents"
        case check = "Check", listMethods = "ListMethods"

        var path: String {
            switch self {
            case .check, .listMethods: "/teams.v1.Health/\(rawValue)"
            default: "/teams.v1.TeamService/\(rawValue)"
            }
        }
    }

    /// What a `reader` may call besides Check, which needs no credentials.
    static let readerMethods: Set<Method> = [.getTeam, .searchTeams, .watchEvents]

    func testEachRoleMayCallOnlyItsMethods() async throws {
        let binary = try builtExecutable("teams-server")
        let readerToken = Self.newToken("reader")
        let writerToken = Self.newToken("writer")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try Self.writeTokens([("reader-1", "reader", readerToken), ("writer-1", "writer", writerToken)], to: tokens)
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--auth-tokens", tokens.path, "--log-level", "notice"])
        defer { server.terminate() }

        // A team, so that there is an event to watch and a team to read.
        let seeder = try await makeClient(port: server.port, token: writerToken)
        let teamID = try await seeder.createTeam(name: "Roles United").id.description
        await seeder.close()

        for (role, token) in [("writer", writerToken), ("reader", readerToken), ("no token", nil)] as [(String, String?)] {
            let client = try await makeClient(port: server.port, token: token)
            for method in Method.allCases {
                let error = await call(method, on: client, teamID: teamID, as: role)
                let shown = error.map { String(describing: $0) } ?? "OK"
                let what = "\(role) calling \(method.rawValue): \(shown)"
                if let denial = Self.expectedDenial(of: method, to: role) {
                    XCTAssertEqual(error?.code, denial.code, what)
                    XCTAssertEqual(error?.message, denial.message, what)
                } else {
                    let code = error?.code
                    XCTAssertFalse(code == .permissionDenied || code == .unauthenticated, what)
                }
            }
            // A denied call leaves the connection open.
            let serving = try await client.check().serving
            XCTAssertTrue(serving, role)
            await client.close()
        }
        let deniedLogged = await waitForLog(server, toContain: "caller=reader-1")
        XCTAssertTrue(deniedLogged, "denied calls are logged with the caller's name: \(server.log)")
        let changesLogged = await waitForLog(server, toContain: "caller=writer-1")
        XCTAssertTrue(changesLogged, "changes are logged with the caller's name: \(server.log)")
    }

    func testMissingBadAndLateTokensOnTheWire() async throws {
        let binary = try builtExecutable("teams-server")
        let writerToken = Self.newToken("writer")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try Self.writeTokens([("writer-1", "writer", writerToken)], to: tokens)
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--auth-tokens", tokens.path])
        defer { server.terminate() }

        // No token: calls get UNAUTHENTICATED, the connection stays open, and Check needs nothing.
        let anonymous = try await makeClient(port: server.port)
        let missing = await outcome { _ = try await anonymous.createTeam(name: "No Token") }
        XCTAssertEqual(missing?.code, .unauthenticated, "\(String(describing: missing))")
        XCTAssertEqual(missing?.message, Self.unauthenticatedMessage)
        let serving = try await anonymous.check().serving
        XCTAssertTrue(serving)
        await anonymous.close()

        // A good token with a request right behind it, in one write.
        let pipelined = try RawConnection(port: server.port)
        pipelined.send(Self.authFrame(writerToken) + Self.getTeamRequest(callID: 1))
        let answer = pipelined.readStatus()
        XCTAssertEqual(answer?.callID, 1)
        XCTAssertEqual(answer?.status, StatusCode.notFound.rawValue, "authenticated, so the call ran: \(String(describing: answer))")

        // AUTH after another frame: GOAWAY INVALID_ARGUMENT, then the close.
        let late = try RawConnection(port: server.port)
        late.send(RawConnection.request(callID: 1, method: "/teams.v1.Health/Check", payload: []))
        XCTAssertEqual(late.readStatus()?.status, StatusCode.ok.rawValue, "Check needs no credentials")
        late.send(Self.authFrame(writerToken))
        let lateGoAway = Self.goAway(in: late.readFrame())
        XCTAssertEqual(lateGoAway?.status, StatusCode.invalidArgument.rawValue, "\(String(describing: lateGoAway))")
        XCTAssertEqual(lateGoAway?.lastCallID, 1)
        XCTAssertNil(late.readFrame(), "the server closes the connection")

        // Authenticated before the failures below, which count against this address.
        let search = try await makeClient(port: server.port, token: writerToken)
        _ = try await search.searchTeams(term: "")

        // A bad token, through the client.
        let impostor = try await makeClient(port: server.port, token: "not-the-token", timeout: .seconds(2))
        let bad = await outcome { _ = try await impostor.getTeam(id: Self.missingID) }
        await impostor.close()
        if let bad {
            XCTAssertTrue(
                bad.code == .unauthenticated || (bad.code == .unavailable && bad.message.lowercased().contains("token")),
                "UNAUTHENTICATED, or UNAVAILABLE naming the token: \(bad)")
        } else {
            XCTFail("a bad token was accepted")
        }

        // A bad token on the wire: GOAWAY UNAUTHENTICATED, last call id 0, then the close.
        let raw = try RawConnection(port: server.port)
        raw.send(Self.authFrame("not-the-token"))
        let goAway = Self.goAway(in: raw.readFrame())
        XCTAssertEqual(goAway?.status, StatusCode.unauthenticated.rawValue, "\(String(describing: goAway))")
        XCTAssertEqual(goAway?.lastCallID, 0)
        XCTAssertEqual(goAway?.message, "the token is not valid")
        XCTAssertNil(raw.readFrame(), "the server closes the connection")

        // A request pipelined behind a bad token does not run.
        let pipelinedBad = try RawConnection(port: server.port)
        pipelinedBad.send(Self.authFrame("not-the-token") + Self.createTeamRequest(callID: 1, name: "Behind A Bad Token"))
        var frames: [(type: UInt8, flags: UInt8, callID: UInt32, body: [UInt8])] = []
        while frames.count < 5, let frame = pipelinedBad.readFrame() { frames.append(frame) }
        XCTAssertEqual(frames.first?.type, 5, "a GOAWAY first")
        for frame in frames where frame.type == 2 {
            XCTAssertEqual(frame.body.first, StatusCode.unavailable.rawValue, "an answered request was not run")
        }

        let found = try await search.searchTeams(term: "Behind A Bad Token")
        XCTAssertEqual(found.teams, [], "the request behind the bad token did not run")
        await search.close()
    }

    /// Authentication off: an AUTH frame is ignored, whatever its token.
    func testAnAUTHFrameIsIgnoredWithAuthenticationOff() async throws {
        let server = try await TestServer.start()
        let raw = try RawConnection(port: server.port)
        raw.send(Self.authFrame("anything at all") + RawConnection.request(callID: 1, method: "/teams.v1.Health/Check", payload: []))
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.ok.rawValue)

        let client = try await makeClient(port: server.port, token: "anything at all")
        let team = try await client.createTeam(name: "Open Doors")
        XCTAssertEqual(team.name, "Open Doors")
        await client.close()
        await server.stop()
    }

    func testTheCLISendsTheTokenAndReportsPermissionDenied() async throws {
        let binary = try builtExecutable("teams-server")
        let readerToken = Self.newToken("reader")
        let writerToken = Self.newToken("writer")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try Self.writeTokens([("reader-1", "reader", readerToken), ("writer-1", "writer", writerToken)], to: tokens)
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--auth-tokens", tokens.path])
        defer { server.terminate() }
        let address = "127.0.0.1:\(server.port)"

        let created = try teams(["create", "Token Town", "--json"], environment: ["TEAMS_SERVER": address, "TEAMS_TOKEN": writerToken])
        XCTAssertEqual(created.status, 0, created.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any], created.stdout)
        let id = try XCTUnwrap(json["id"] as? String)

        // The reader's token from a file (first line, trimmed).
        let tokenFile = folder.url.appendingPathComponent("reader.token")
        try Data("  \(readerToken)  \nsecond line\n".utf8).write(to: tokenFile)
        let got = try teams(["get", id, "--server", address, "--token-file", tokenFile.path])
        XCTAssertEqual(got.status, 0, got.stderr)
        let deleted = try teams(["delete", id, "--server", address, "--token-file", tokenFile.path])
        XCTAssertEqual(deleted.status, 17, "10 + PERMISSION_DENIED: \(deleted.stderr)")
        XCTAssertTrue(deleted.stderr.hasPrefix("PERMISSION_DENIED: caller reader-1 (reader) may not call /teams.v1.TeamService/DeleteTeam"), deleted.stderr)

        let anonymous = try teams(["create", "Nobody's", "--server", address])
        XCTAssertEqual(anonymous.status, 26, "10 + UNAUTHENTICATED: \(anonymous.stderr)")
        XCTAssertTrue(anonymous.stderr.hasPrefix("UNAUTHENTICATED: "), anonymous.stderr)
        let health = try teams(["health", "--server", address])
        XCTAssertEqual(health.status, 0, "Check needs no credentials: \(health.stderr)")
    }

    func testSIGHUPReloadsTheTokensFile() async throws {
        let binary = try builtExecutable("teams-server")
        let keptToken = Self.newToken("kept")
        let removedToken = Self.newToken("removed")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try Self.writeTokens([("writer-1", "writer", keptToken), ("writer-2", "writer", removedToken)], to: tokens)
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--auth-tokens", tokens.path])
        defer { server.terminate() }

        let before = try await makeClient(port: server.port, token: removedToken)
        let team = try await before.createTeam(name: "Before The Reload")

        try Self.writeTokens([("writer-1", "writer", keptToken)], to: tokens)
        kill(server.process.processIdentifier, SIGHUP)
        let reloaded = try await waitUntil(limit: 5) { try Self.tokenIsAccepted(removedToken, port: server.port) == false }
        XCTAssertTrue(reloaded, "after SIGHUP a new connection with the removed token is refused: \(server.log)")

        let after = try await makeClient(port: server.port, token: removedToken, timeout: .seconds(2))
        let refused = await outcome { _ = try await after.getTeam(id: team.id.description) }
        await after.close()
        XCTAssertNotNil(refused, "the removed token no longer works on a new connection")
        if let refused {
            XCTAssertTrue(refused.code == .unauthenticated || refused.code == .unavailable, "\(refused)")
        }

        // The connection authenticated before the reload keeps its caller.
        let renamed = try await before.renameTeam(id: team.id.description, to: "After The Reload")
        XCTAssertEqual(renamed.name, "After The Reload")
        await before.close()
        let kept = try await makeClient(port: server.port, token: keptToken)
        _ = try await kept.getTeam(id: team.id.description)
        await kept.close()

        // A bad file is not loaded: the old callers stay, and the error is logged.
        try Data("this is not a tokens file\n".utf8).write(to: tokens)
        let loggedBefore = server.log.count
        kill(server.process.processIdentifier, SIGHUP)
        let logged = (try? await waitUntil(limit: 5) { server.log.dropFirst(loggedBefore).contains("error") }) ?? false
        XCTAssertTrue(logged, "a bad reload logs an error: \(server.log)")
        XCTAssertEqual(try Self.tokenIsAccepted(keptToken, port: server.port), true, "the old callers stay")
        XCTAssertEqual(try Self.tokenIsAccepted(removedToken, port: server.port), false)
        XCTAssertTrue(server.process.isRunning)
    }

    func testABadTokensFileStopsStartUpNamingTheLine() throws {
        let binary = try builtExecutable("teams-server")
        let folder = try TemporaryFolder()
        let hash = try Self.sha256Hex("a token")
        let good = "# callers\nwriter-1 writer \(hash)\n"
        for (what, text, line) in [
            ("an unknown role", good + "admin-1 admin \(hash)\n", 3),
            ("a hash that is not 64 hex digits", good + "\nreader-1 reader abc123\n", 4),
            ("a repeated name", good + "writer-1 reader -\n", 3),
            ("a missing field", good + "reader-1 reader\n", 3),
        ] as [(String, String, Int)] {
            let file = folder.url.appendingPathComponent("bad-\(line)-\(UUID().uuidString.prefix(4)).tokens")
            try Data(text.utf8).write(to: file)
            guard let run = try Self.runToExit(binary, ["--store", "memory", "--port", "0", "--auth-tokens", file.path], timeout: 10) else {
                XCTFail("\(what): teams-server started with a bad tokens file")
                continue
            }
            XCTAssertNotEqual(run.status, 0, "\(what): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(what): one line: \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("\(file.path):\(line)"), "\(what): names FILE:LINE: \(run.stderr)")
        }
    }

    // MARK: Secure by default

    func testANonLoopbackHostNeedsTLSOrAuthenticationOrAllowInsecure() throws {
        let binary = try builtExecutable("teams-server")
        for (what, arguments, environment) in [
            ("--host 0.0.0.0", ["--host", "0.0.0.0", "--port", "0", "--store", "memory"], [:]),
            ("TEAMS_HOST=0.0.0.0", ["--port", "0", "--store", "memory"], ["TEAMS_HOST": "0.0.0.0"]),
        ] as [(String, [String], [String: String])] {
            guard let run = try Self.runToExit(binary, arguments, environment: environment, timeout: 10) else {
                XCTFail("\(what): teams-server started with no TLS and no authentication")
                continue
            }
            XCTAssertEqual(run.status, 64, "\(what): \(run.stderr)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "\(what): one line: \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("teams-server: "), run.stderr)
            for flag in ["--tls-cert", "--tls-key", "--auth-tokens", "--allow-insecure"] {
                XCTAssertTrue(run.stderr.contains(flag), "\(what): the line names \(flag): \(run.stderr)")
            }
        }

        // Any one of them is enough. ServerProcess passes `--host 127.0.0.1` first; the later flag wins.
        let certificates = try TestCertificates()
        let tokens = certificates.file("teams.tokens")
        try Self.writeTokens([("writer-1", "writer", Self.newToken("writer"))], to: tokens)
        for (what, arguments, environment) in [
            ("--allow-insecure", ["--allow-insecure"], [:]),
            ("TEAMS_ALLOW_INSECURE=1", [], ["TEAMS_ALLOW_INSECURE": "1"]),
            ("--auth-tokens", ["--auth-tokens", tokens.path], [:]),
            ("--tls-cert", Self.tlsArguments(certificates), [:]),
        ] as [(String, [String], [String: String])] {
            do {
                let server = try ServerProcess(binary: binary, store: "memory", environment: environment, extraArguments: ["--host", "0.0.0.0"] + arguments)
                XCTAssertTrue(server.process.isRunning, what)
                server.terminate()
            } catch {
                XCTFail("\(what): \(error)")
            }
        }
    }

    // MARK: Failed authentications

    func testAFloodOfBadTokensIsRateLimitedWhileAGoodClientIsServed() async throws {
        let binary = try builtExecutable("teams-server")
        let writerToken = Self.newToken("writer")
        let folder = try TemporaryFolder()
        let tokens = folder.url.appendingPathComponent("teams.tokens")
        try Self.writeTokens([("writer-1", "writer", writerToken)], to: tokens)
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--auth-tokens", tokens.path])
        defer { server.terminate() }

        // Authenticated before the flood: its connection keeps its caller.
        let good = try await makeClient(port: server.port, token: writerToken, timeout: .seconds(10))
        let team = try await good.createTeam(name: "Under Siege")

        let port = server.port
        async let flooded = Self.floodWithBadTokens(port: port, connections: 200)
        var served = 0
        var failures: [String] = []
        for _ in 0..<100 {
            do {
                _ = try await good.getTeam(id: team.id.description)
                served += 1
            } catch {
                failures.append("\(error)")
            }
        }
        let flood = await flooded
        await good.close()

        XCTAssertEqual(served, 100, "every call of the good client succeeds: \(failures.prefix(5))")
        let unauthenticated = flood.statuses.filter { $0 == StatusCode.unauthenticated.rawValue }.count
        let exhausted = flood.statuses.filter { $0 == StatusCode.resourceExhausted.rawValue }.count
        XCTAssertEqual(unauthenticated + exhausted, 200, "every bad connection gets a GOAWAY: \(flood.statuses)")
        XCTAssertGreaterThanOrEqual(unauthenticated, 10, "a burst of 10 is checked")
        let refills = Int(flood.seconds.rounded(.up)) + 2
        XCTAssertLessThanOrEqual(unauthenticated, 10 + refills, "then 1 per second: \(flood.seconds) s")
        XCTAssertGreaterThan(exhausted, 0)
        XCTAssertEqual(flood.statuses.last ?? nil, StatusCode.resourceExhausted.rawValue, "the last ones are refused unchecked")
        XCTAssertTrue(flood.messages.contains { $0.hasPrefix("too many failed authentications") }, "\(flood.messages)")
        XCTAssertEqual(flood.lastCallIDs, [0])

        // The limit is on AUTH frames from that address; Check still needs nothing.
        let raw = try RawConnection(port: server.port)
        raw.send(RawConnection.request(callID: 1, method: "/teams.v1.Health/Check", payload: []))
        XCTAssertEqual(raw.readStatus()?.status, StatusCode.ok.rawValue)
    }

    struct Flood: Sendable {
        /// The GOAWAY status each connection got, in order; nil for none.
        var statuses: [UInt8?] = []
        var messages: Set<String> = []
        var lastCallIDs: Set<UInt32> = []
        var seconds: Double = 0
    }

    /// Bad-token connections one after another, on a thread of their own (the sockets block).
    static func floodWithBadTokens(port: Int, connections: Int) async -> Flood {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let started = Date()
                var flood = Flood()
                for index in 0..<connections {
                    guard let raw = try? RawConnection(port: port) else {
                        flood.statuses.append(nil)
                        continue
                    }
                    raw.send(SecurityTests.authFrame("bad-token-\(index)"))
                    let goAway = SecurityTests.goAway(in: raw.readFrame())
                    flood.statuses.append(goAway?.status)
                    if let goAway {
                        flood.messages.insert(goAway.message)
                        flood.lastCallIDs.insert(goAway.lastCallID)
                    }
                }
                flood.seconds = Date().timeIntervalSince(started)
                continuation.resume(returning: flood)
            }
        }
    }

    // MARK: Helpers

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func tlsArguments(_ certificates: TestCertificates, certificate: URL? = nil, key: URL? = nil) -> [String] {
        ["--tls-cert", (certificate ?? certificates.serverCertificate).path, "--tls-key", (key ?? certificates.serverKey).path]
    }

    /// A client of one endpoint on loopback, every call and connection attempt bounded by `timeout`.
    func makeClient(port: Int, tls: ClientTLS? = nil, token: String? = nil, timeout: Duration = .seconds(5)) async throws -> TeamsClient {
        var configuration = ClientConfiguration()
        configuration.authToken = token
        configuration.defaultTimeout = timeout
        configuration.connectTimeout = timeout
        return try await TeamsClient.connect(
            endpoints: [Endpoint(host: "127.0.0.1", port: port)], configuration: configuration, tls: tls, options: CallOptions(timeout: timeout))
    }

    /// The error `body` ends with; nil when it succeeds.
    func outcome(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "not an RPCError: \(error)")
        }
    }

    /// One call of `method`; nil when it succeeds. WatchEvents counts as a success once it yields an event.
    func call(_ method: Method, on client: TeamsClient, teamID: String, as role: String) async -> RPCError? {
        await outcome {
            switch method {
            case .createTeam: _ = try await client.createTeam(name: "Created by \(role)")
            case .getTeam: _ = try await client.getTeam(id: teamID)
            case .renameTeam: _ = try await client.renameTeam(id: teamID, to: "Renamed by \(role)")
            case .deleteTeam: try await client.deleteTeam(id: SecurityTests.missingID)
            case .addPlayer: _ = try await client.addPlayer(teamID: teamID, name: "Player of \(role)", position: .midfielder)
            case .removePlayer: _ = try await client.removePlayer(teamID: teamID, name: "Nobody", position: .goalkeeper)
            case .searchTeams: _ = try await client.searchTeams(term: "")
            case .watchEvents: _ = try await WatchEventsTests.collect(1, from: client.watchEvents(from: 1))
            case .check: _ = try await client.check()
            case .listMethods: _ = try await client.listMethods()
            }
        }
    }

    /// How `method` is refused to `role`, or nil when it is allowed.
    static func expectedDenial(of method: Method, to role: String) -> RPCError? {
        switch role {
        case "writer":
            return nil
        case "reader":
            guard method != .check, !readerMethods.contains(method) else { return nil }
            return RPCError(.permissionDenied, "caller reader-1 (reader) may not call \(method.path)")
        default:
            return method == .check ? nil : RPCError(.unauthenticated, unauthenticatedMessage)
        }
    }

    /// A CreateTeam from a client whose connection must be refused: it fails within a
    /// few seconds, with UNAVAILABLE naming the TLS cause when the client itself refuses
    /// the server's certificate (`namesTheCause`).
    func assertRefused(port: Int, tls: ClientTLS?, namesTheCause: Bool, _ what: String, file: StaticString = #filePath, line: UInt = #line) async {
        let started = ContinuousClock.now
        let error = await outcome {
            let client = try await self.makeClient(port: port, tls: tls, timeout: .seconds(3))
            do {
                _ = try await client.createTeam(name: "Refused \(what)")
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
        let took = ContinuousClock.now - started
        guard let error else { return XCTFail("\(what): the call succeeded", file: file, line: line) }
        if namesTheCause {
            XCTAssertEqual(error.code, .unavailable, "\(what): \(error)", file: file, line: line)
            XCTAssertTrue(Self.namesTheTLSCause(error.message), "\(what): the message names the TLS cause: \(error)", file: file, line: line)
        } else {
            XCTAssertTrue([StatusCode.unavailable, .deadlineExceeded].contains(error.code), "\(what): \(error)", file: file, line: line)
        }
        XCTAssertLessThan(took, .seconds(10), "\(what): bounded by the 3 s timeout", file: file, line: line)
    }

    static func namesTheTLSCause(_ message: String) -> Bool {
        let text = message.lowercased()
        return text.contains("certificate") || text.contains("handshake")
    }

    func waitForLog(_ server: ServerProcess, toContain text: String, limit: TimeInterval = 5) async -> Bool {
        (try? await waitUntil(limit: limit) { server.log.contains(text) }) ?? false
    }

    /// Polls `condition` every 50 ms for at most `limit` seconds.
    func waitUntil(limit: TimeInterval, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    // MARK: Tokens

    static func newToken(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased())"
    }

    /// `NAME ROLE SHA256HEX` lines (`-` for no token), with a comment, a blank line and mixed whitespace.
    static func writeTokens(_ callers: [(name: String, role: String, token: String?)], to file: URL) throws {
        var text = "# name role sha256(token)\n\n"
        for caller in callers {
            let hash = try caller.token.map { try sha256Hex($0) } ?? "-"
            text += "\(caller.name)\t\(caller.role)   \(hash)\n"
        }
        try Data(text.utf8).write(to: file)
    }

    /// As the README says: `printf %s "$TOKEN" | sha256sum`.
    static func sha256Hex(_ token: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(token.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let hash = String(String(decoding: data, as: UTF8.self).prefix(64))
        guard process.terminationStatus == 0, hash.count == 64 else { throw Failure(description: "sha256sum failed: \(hash)") }
        return hash
    }

    // MARK: Raw frames

    /// AUTH (type 8), flags 0, call id 0: scheme 1 (bearer token), `u16` length, the token.
    static func authFrame(_ token: String) -> [UInt8] {
        let bytes = Array(token.utf8)
        var body: [UInt8] = [8, 0]
        body += RawConnection.bytes(0)
        body += [1, UInt8(truncatingIfNeeded: bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)]
        body += bytes
        return RawConnection.bytes(UInt32(body.count)) + body
    }

    /// GetTeam of a team that does not exist: NOT_FOUND once authenticated.
    static func getTeamRequest(callID: UInt32) -> [UInt8] {
        RawConnection.request(callID: callID, method: "/teams.v1.TeamService/GetTeam", payload: [0x0a, 20] + Array(missingID.utf8))
    }

    static func createTeamRequest(callID: UInt32, name: String) -> [UInt8] {
        let bytes = Array(name.utf8)
        return RawConnection.request(callID: callID, method: "/teams.v1.TeamService/CreateTeam", payload: [0x0a, UInt8(bytes.count)] + bytes)
    }

    struct GoAwayFrame: Sendable {
        var status: UInt8
        var lastCallID: UInt32
        var message: String
    }

    static func goAway(in frame: (type: UInt8, flags: UInt8, callID: UInt32, body: [UInt8])?) -> GoAwayFrame? {
        guard let frame, frame.type == 5, frame.body.count >= 7 else { return nil }
        let body = frame.body
        let lastCallID = body[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let length = Int(body[5]) << 8 | Int(body[6])
        guard body.count >= 7 + length else { return nil }
        return GoAwayFrame(status: body[0], lastCallID: lastCallID, message: String(decoding: body[7..<(7 + length)], as: UTF8.self))
    }

    /// Whether a new connection's AUTH with `token` is accepted (a call behind it runs)
    /// or refused (GOAWAY UNAUTHENTICATED); nil for any other answer.
    static func tokenIsAccepted(_ token: String, port: Int) throws -> Bool? {
        let raw = try RawConnection(port: port)
        raw.send(authFrame(token) + getTeamRequest(callID: 1))
        guard let frame = raw.readFrame() else { return nil }
        if frame.type == 2 { return true }
        if let goAway = goAway(in: frame), goAway.status == StatusCode.unauthenticated.rawValue { return false }
        return nil
    }

    // MARK: Child processes

    struct Exit {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `teams` CLI to its exit (at most 30 s), without the test's own `TEAMS_` variables.
    func teams(_ arguments: [String], environment: [String: String] = [:]) throws -> Exit {
        let run = try Self.runToExit(try builtExecutable("teams"), arguments, environment: environment, timeout: 30)
        return try XCTUnwrap(run, "teams \(arguments) still ran after 30 s")
    }

    /// Runs `executable` with this process's environment less its `TEAMS_` variables, plus
    /// `environment`; nil (after terminating it) if it still runs after `timeout` seconds.
    static func runToExit(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval) throws -> Exit? {
        let folder = try TemporaryFolder()
        let stdoutFile = folder.url.appendingPathComponent("stdout")
        let stderrFile = folder.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: stdoutFile)
        defer { try? outHandle.close() }
        let errHandle = try FileHandle(forWritingTo: stderrFile)
        defer { try? errHandle.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TEAMS_") }.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return Exit(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "")
    }
}
