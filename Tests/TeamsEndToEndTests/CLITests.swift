import Foundation
import XCTest

/// The built `teams` binary against a running server.
final class CLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func teams(_ arguments: [String], port: Int) throws -> Run {
        let process = Process()
        process.executableURL = try builtExecutable("teams")
        process.arguments = arguments
        process.environment = ["TEAMS_SERVER": "127.0.0.1:\(port)"]
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

    func testUnreachableServerIsUnavailable() throws {
        let run = try teams(["health", "--timeout", "1"], port: 1)
        XCTAssertEqual(run.status, 24, "10 + UNAVAILABLE")
        XCTAssertTrue(run.stderr.hasPrefix("UNAVAILABLE: cannot connect to 127.0.0.1:1"), run.stderr)
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
        XCTAssertTrue(needsIDs.stderr.contains("--seeded works with a --mix of search and create only"), needsIDs.stderr)
        let badLength = try teams(common + ["--search-term-length", "0-3"], port: server.port)
        XCTAssertNotEqual(badLength.status, 0)
        XCTAssertTrue(badLength.stderr.contains("--search-term-length must be N or MIN-MAX within 1-8, got \"0-3\""), badLength.stderr)
    }
}
