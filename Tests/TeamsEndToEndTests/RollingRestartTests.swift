import Foundation
import RPCCore
import RPCTransportNIO
import TeamsClient
import TeamsTestSupport
import XCTest

/// Servers restarted under load, as a deploy does: the client rides through drains,
/// reconnects and retries, and no call fails and no acknowledged write is lost.
final class RollingRestartTests: XCTestCase {
    /// A deploy may stop a server the moment it answers: SIGTERM is trapped before
    /// the port opens, so even then the server drains and exits 0 rather than dying
    /// of the signal (it did, every time, when the port opened first).
    func testASIGTERMAsSoonAsThePortOpensStillDrainsAndExitsZero() throws {
        let binary = try builtExecutable("teams-server")
        for _ in 0..<5 {
            let server = try ServerProcess(binary: binary, store: "memory")
            defer { server.terminate() }
            XCTAssertEqual(server.stopGracefully(), 0, "exit status (15 is death by SIGTERM): \(server.log)")
            XCTAssertEqual(server.process.terminationReason, .exit, server.log)
        }
    }

    /// The headline: two servers share one DynamoDB table (moto); A restarts, then B,
    /// while `teams bench --server A,B` runs a 90/5/5 get/add-player/create mix.
    func testTwoServersRestartedInTurnUnderLoadFailNoCallAndLoseNoWrite() async throws {
        let binary = try builtExecutable("teams-server")
        let moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let table = "rolling-\(UUID().uuidString.prefix(8))"
        var serverA = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint)
        var serverB = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint)
        defer {
            serverA.terminate()
            serverB.terminate()
        }
        let bench = try BenchProcess(arguments: [
            "--server", "127.0.0.1:\(serverA.port),127.0.0.1:\(serverB.port)", "--connections", "2", "--in-flight", "4",
            "--mix", "get=90,add-player=5,create=5", "--teams", "20", "--players-per-team", "3",
            "--warmup", "1s", "--duration", "22s", "--timeout", "30", "--check-writes",
        ])
        try bench.waitUntilMeasuring()
        try await Task.sleep(for: .seconds(3))
        for which in ["A", "B"] {
            let old = which == "A" ? serverA : serverB
            XCTAssertEqual(old.stopGracefully(), 0, "\(which) drains and exits 0: \(old.log)")
            let restarted = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint, port: old.port)
            if which == "A" { serverA = restarted } else { serverB = restarted }
            try await Task.sleep(for: .seconds(6))
        }
        let report = try bench.report()
        print("rolling restart: \(report)")
        XCTAssertGreaterThan(report["calls"] as? Int ?? 0, 100)
        XCTAssertEqual(report["errors"] as? [String: Int], [:], "no call failed")
        XCTAssertGreaterThan(report["writes_acknowledged"] as? Int ?? 0, 0)
        XCTAssertEqual(report["writes_missing"] as? Int, 0, "every acknowledged write is stored")
        XCTAssertGreaterThanOrEqual(report["reconnects"] as? Int ?? 0, 4, "each of the 2 clients reconnected to A and to B")
    }

    /// One SQLite server restarted under load: callers wait out the restart and
    /// recover on their own, with the same client.
    func testOneSQLiteServerRestartedUnderLoadIsRiddenThrough() async throws {
        let binary = try builtExecutable("teams-server")
        let folder = try TemporaryFolder()
        let store = "sqlite:\(folder.url.appendingPathComponent("teams.sqlite").path)"
        var server = try ServerProcess(binary: binary, store: store)
        defer { server.terminate() }
        let bench = try BenchProcess(arguments: [
            "--server", "127.0.0.1:\(server.port)", "--connections", "2", "--in-flight", "4",
            "--mix", "get=90,add-player=5,create=5", "--teams", "20", "--players-per-team", "3",
            "--warmup", "1s", "--duration", "8s", "--timeout", "30", "--check-writes",
        ])
        try bench.waitUntilMeasuring()
        try await Task.sleep(for: .seconds(2))
        XCTAssertEqual(server.stopGracefully(), 0, server.log)
        server = try ServerProcess(binary: binary, store: store, port: server.port)
        let report = try bench.report()
        print("sqlite restart: \(report)")
        XCTAssertEqual(report["errors"] as? [String: Int], [:], "no call failed")
        XCTAssertEqual(report["writes_missing"] as? Int, 0)
        XCTAssertGreaterThanOrEqual(report["reconnects"] as? Int ?? 0, 2)
    }

    /// A server that stops answering (SIGSTOP: the kernel still holds the socket) is
    /// found dead by keepalive, and once it answers again the next call succeeds on a
    /// fresh connection of the same client.
    func testKeepaliveFindsAStoppedServerAndTheNextCallUsesAFreshConnection() async throws {
        let binary = try builtExecutable("teams-server")
        let server = try ServerProcess(binary: binary, store: "memory", extraArguments: ["--min-ping-interval", "0"])
        defer { server.terminate() }
        var configuration = ClientConfiguration()
        configuration.keepalive = (interval: .milliseconds(200), timeout: .milliseconds(300))
        configuration.connectionBackoff = Backoff(base: .milliseconds(100), max: .milliseconds(100), jitter: .none)
        let client = try await TeamsClient.connect(endpoints: [Endpoint(host: "127.0.0.1", port: server.port)], configuration: configuration)
        defer { Task { await client.connection.close() } }
        _ = try await client.check()

        kill(server.process.processIdentifier, SIGSTOP)
        let stopped = ContinuousClock.now
        var timeouts = 0
        while timeouts == 0, ContinuousClock.now - stopped < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
            timeouts = try await client.connection.eventLoop.submit { client.connection.statistics.keepaliveTimeouts }.get()
        }
        let detectedAfter = ContinuousClock.now - stopped
        kill(server.process.processIdentifier, SIGCONT)
        XCTAssertGreaterThanOrEqual(timeouts, 1, "the dead connection was noticed")
        XCTAssertLessThan(detectedAfter, .seconds(5), "within the interval plus the timeout (0.5 s), with slack for a busy machine")

        let serving = try await client.check().serving
        XCTAssertTrue(serving)
        let reconnects = try await client.connection.eventLoop.submit { client.connection.statistics.reconnects }.get()
        XCTAssertGreaterThanOrEqual(reconnects, 1)
    }
}
