import Foundation
import TeamsTestSupport
import XCTest

/// A `teams-server --store dynamodb:TABLE` child process on a free loopback port,
/// pointed at a moto_server through the AWS SDK environment variables.
///
/// These tests run real server processes (rather than `TestServer` in process)
/// because this test target does not link the DynamoDB store; the processes are
/// also what issue #4 describes: stateless servers sharing one table.
struct DynamoDBServerProcess {
    let process: Process
    let port: Int
    let stderrFile: URL

    init(binary: URL, table: String, endpoint: URL, extraArguments: [String] = []) throws {
        port = try LocalPorts.freePort()
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("teams-server-\(port)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process = Process()
        process.executableURL = binary
        process.arguments = ["--store", "dynamodb:\(table)", "--host", "127.0.0.1", "--port", "\(port)", "--log-level", "warning"] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment(endpoint)) { _, new in new }
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

    static func environment(_ endpoint: URL) -> [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint.absoluteString,
        ]
    }

    /// What the server wrote to stderr so far.
    var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

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

/// Starts moto for one test, serialising its requests (two servers write at once;
/// see `MotoServer.start`), or skips the test when moto cannot start.
func startMotoForDynamoDBTests(port: Int? = nil) throws -> MotoServer {
    do {
        return try MotoServer.start(port: port, serializeRequests: true)
    } catch {
        throw XCTSkip("moto_server did not start: \(error)")
    }
}
