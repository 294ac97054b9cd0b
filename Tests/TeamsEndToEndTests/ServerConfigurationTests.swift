import Foundation
import XCTest

/// `teams-server` started with a bad flag or environment variable: it must stop at
/// once with one line on stderr naming the flag or variable and the value.
final class ServerConfigurationTests: XCTestCase {
    /// One bad setting: a flag (`--port`) or an environment variable (`TEAMS_PORT`), and its value.
    private struct BadSetting {
        let name: String
        let value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        var isFlag: Bool { name.hasPrefix("--") }

        /// The flag of the setting under test: `--max-frame-bytes` for `TEAMS_MAX_FRAME_BYTES`.
        var flag: String {
            isFlag ? name : "--" + name.dropFirst("TEAMS_".count).lowercased().replacingOccurrences(of: "_", with: "-")
        }
    }

    /// Every variable at least once, and a few flags. Each would start a server if it
    /// were accepted, so a process still running after the timeout is a failure.
    private let badSettings = [
        BadSetting("TEAMS_HOST", " "),
        BadSetting("TEAMS_PORT", "abc"),
        BadSetting("TEAMS_PORT", "70000"),
        BadSetting("TEAMS_STORE", "bogus"),
        BadSetting("TEAMS_NO_CREATE_TABLE", "maybe"),
        BadSetting("TEAMS_MAX_FRAME_BYTES", "12"),
        BadSetting("TEAMS_LOG_LEVEL", "loud"),
        BadSetting("TEAMS_EVENT_RETENTION_DAYS", "-1"),
        BadSetting("TEAMS_THREADS", "-1"),
        BadSetting("TEAMS_THREADS", "0"),
        BadSetting("TEAMS_MAX_CONNECTIONS", "0"),
        BadSetting("TEAMS_MAX_CALLS_PER_CONNECTION", "x"),
        BadSetting("TEAMS_IDLE_TIMEOUT", "soon"),
        BadSetting("TEAMS_FRAME_READ_TIMEOUT", "0"),
        BadSetting("TEAMS_DRAIN_TIMEOUT", "-5s"),
        BadSetting("TEAMS_MIN_PING_INTERVAL", "1parsec"),
        BadSetting("TEAMS_CACHE_MB", "lots"),
        BadSetting("TEAMS_CACHE_MB", "-1"),
        BadSetting("TEAMS_LOG_FORMAT", "xml"),
        BadSetting("TEAMS_ACCESS_LOG", "sometimes"),
        BadSetting("TEAMS_METRICS_PORT", "99999"),
        BadSetting("TEAMS_METRICS_HOST", " "),
        BadSetting("--metrics-port", "http"),
        BadSetting("--log-format", "yaml"),
        BadSetting("--port", "abc"),
        BadSetting("--threads", "0"),
        BadSetting("--threads", "-1"),
        BadSetting("--idle-timeout", "x"),
        BadSetting("--max-frame-bytes", "4GiB"),
        BadSetting("TEAMS_AUTH_TIMEOUT", "0"),
        BadSetting("--auth-timeout", "later"),
        BadSetting("TEAMS_METRICS_MAX_CONNECTIONS", "0"),
        BadSetting("--metrics-max-connections", "5000"),
        BadSetting("TEAMS_METRICS_IDLE_TIMEOUT", "never"),
    ]

    func testEveryBadFlagOrVariableStopsStartUpWithOneLineNamingIt() throws {
        let binary = try builtExecutable("teams-server")
        for bad in badSettings {
            // A memory store on a free port, unless that is the setting under test.
            var arguments = [String]()
            for (flag, value) in [("--store", "memory"), ("--port", "0")] where flag != bad.flag {
                arguments += [flag, value]
            }
            var environment = Self.environmentWithoutTeamsVariables()
            if bad.isFlag {
                arguments += [bad.name, bad.value]
            } else {
                environment[bad.name] = bad.value
            }
            let shown = bad.isFlag ? "\(bad.name) \(bad.value.debugDescription)" : "\(bad.name)=\(bad.value.debugDescription)"

            guard let result = try Self.runToExit(binary: binary, arguments: arguments, environment: environment, timeout: 10) else {
                XCTFail("\(shown): teams-server was still running after 10 s (the value was accepted)")
                continue
            }
            let (status, stderr) = result
            XCTAssertEqual(status, 64, "\(shown): exit status; stderr: \(stderr)")
            XCTAssertTrue(stderr.hasSuffix("\n"), "\(shown): stderr must be one whole line: \(stderr.debugDescription)")
            let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            XCTAssertEqual(lines.count, 1, "\(shown): stderr must be exactly one line: \(stderr.debugDescription)")
            let line = lines.first.map { String($0) } ?? ""
            XCTAssertTrue(line.hasPrefix("teams-server: "), "\(shown): \(line)")
            XCTAssertTrue(line.contains(bad.name), "\(shown): the line must name \(bad.name): \(line)")
            XCTAssertTrue(line.contains(bad.value), "\(shown): the line must show the value: \(line)")
        }
    }

    func testAnUnknownFlagIsOneLineAndExit64() throws {
        let binary = try builtExecutable("teams-server")
        let result = try Self.runToExit(
            binary: binary, arguments: ["--store", "memory", "--port", "0", "--bogus"],
            environment: Self.environmentWithoutTeamsVariables(), timeout: 10)
        guard let result else { return XCTFail("teams-server accepted --bogus") }
        let (status, stderr) = result
        XCTAssertEqual(status, 64, stderr)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
        XCTAssertTrue(stderr.hasPrefix("teams-server: "), stderr)
        XCTAssertTrue(stderr.contains("--bogus"), stderr)
    }

    /// `ServerProcess` passes `--log-level warning`; TEAMS_LOG_LEVEL=trace must not
    /// win over it, or the info line "teams-server listening" would be on stderr.
    func testAFlagWinsOverItsEnvironmentVariable() throws {
        let binary = try builtExecutable("teams-server")
        let server = try ServerProcess(binary: binary, store: "memory", environment: ["TEAMS_LOG_LEVEL": "trace"])
        Thread.sleep(forTimeInterval: 0.5)
        let log = server.log
        server.terminate()
        XCTAssertEqual(log, "", "--log-level warning must win over TEAMS_LOG_LEVEL=trace")
    }

    /// This process's environment without any `TEAMS_` variable, so that only the
    /// case under test configures the server.
    private static func environmentWithoutTeamsVariables() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TEAMS_") }
    }

    /// Runs the binary to its exit: its status and stderr; nil (after terminating
    /// it) if it is still running after `timeout` seconds.
    private static func runToExit(
        binary: URL, arguments: [String], environment: [String: String], timeout: TimeInterval
    ) throws -> (status: Int32, stderr: String)? {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        let stderrFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("teams-server-config-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stderrFile) }
        let stderrHandle = try FileHandle(forWritingTo: stderrFile)
        defer { try? stderrHandle.close() }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderrHandle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stderr)
    }
}
