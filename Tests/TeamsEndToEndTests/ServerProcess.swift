import Foundation
import TeamsTestSupport
import XCTest

/// A `teams-server` child process on a free loopback port, ready once it accepts
/// connections. Its stderr goes to a file that `log` reads, for failure messages.
struct ServerProcess {
    let process: Process
    let port: Int
    let stderrFile: URL

    /// Starts on `port`, or on a free one; a restarted server passes its predecessor's.
    init(binary: URL, store: String, environment: [String: String] = [:], extraArguments: [String] = [], port requested: Int? = nil) throws {
        let port = try requested ?? LocalPorts.freePort()
        self.port = port
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("teams-server-\(port)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process = Process()
        process.executableURL = binary
        process.arguments = ["--store", store, "--host", "127.0.0.1", "--port", "\(port)", "--log-level", "warning"] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if LocalPorts.isAccepting(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let output = log
        if process.isRunning { process.terminate() }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "teams-server did not start listening on \(port): \(output)"])
    }

    /// What the server wrote to stderr so far.
    var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Kills the server with SIGKILL, as a crash or power cut would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: stderrFile)
    }

    /// Sends SIGTERM, as a rolling restart does, and waits (at most `limit`) for the exit status.
    func stopGracefully(limit: TimeInterval = 60) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func terminate() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: stderrFile)
    }

    /// Runs `teams-server` to its exit (for start-up failures): status and stderr.
    static func run(binary: URL, arguments: [String], environment: [String: String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
