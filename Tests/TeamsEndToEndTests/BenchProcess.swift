import Foundation
import XCTest

/// `teams bench --json` as a child process, for tests that restart servers under its load.
/// Its progress (stderr) goes to a file, so a test can wait for the measurement to begin.
final class BenchProcess {
    let process = Process()
    private let stdout = Pipe()
    private let stderrFile: URL

    init(arguments: [String]) throws {
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("teams-bench-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = try builtExecutable("teams")
        process.arguments = ["bench", "--json"] + arguments
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: stderrFile)
    }

    var progress: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Waits until the bench reports its first measured second.
    func waitUntilMeasuring(limit: TimeInterval = 120) throws {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline, process.isRunning {
            if progress.contains(" calls/s") || progress.range(of: #"\d\.\ds  "#, options: .regularExpression) != nil { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the bench did not start measuring: \(progress)"])
    }

    /// Waits for the exit (at most `limit`) and decodes the JSON report.
    func report(limit: TimeInterval = 180) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            XCTFail("the bench did not finish within \(limit) s: \(progress)")
        }
        // The report is written once, at the end, so it fits the pipe's buffer.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        XCTAssertEqual(process.terminationStatus, 0, progress)
        guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no JSON report: \(String(decoding: output, as: UTF8.self)) \(progress)"])
        }
        return json
    }
}
