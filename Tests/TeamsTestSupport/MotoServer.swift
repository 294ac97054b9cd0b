#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A real `moto` server (https://github.com/getmoto/moto) on 127.0.0.1, started for the
/// integration tests and stopped by its process id.
///
/// The Python interpreter that has moto is located first (`python3 -c 'import
/// moto.server'`, which also works through pyenv shims), then moto's `main()` (what
/// `moto_server -H 127.0.0.1 -p PORT` runs) is started directly on that interpreter, so
/// the PID killed is the server itself and not a wrapper script. The server counts as
/// ready once it accepts TCP connections; it logs to a file in /tmp that failures quote.
///
/// Moto keeps all state in memory and does not check signatures.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public let process: Process
    public let logFile: URL

    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    private init(port: Int, process: Process, logFile: URL) {
        self.port = port
        self.process = process
        self.logFile = logFile
    }

    /// Starts a server and waits (up to `readyTimeout`) until it accepts connections.
    ///
    /// - Parameters:
    ///   - port: where to listen; `nil` picks a free port. Pass a stopped server's port
    ///     to bring "the same endpoint" back (with empty state).
    ///   - serializeRequests: handle one request at a time. Moto's `TransactWriteItems`
    ///     copies the table first and puts the copy back when the transaction is
    ///     cancelled, which silently undoes writes that other clients committed
    ///     meanwhile; with concurrent writers (several stores on one table) pass `true`
    ///     so that moto, like DynamoDB, applies each request atomically.
    public static func start(port: Int? = nil, serializeRequests: Bool = false, readyTimeout: TimeInterval = 20) throws -> MotoServer {
        let python = try motoPython()
        let port = try port ?? LocalPorts.freePort()
        let logFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("awsdynamodb-moto-\(port)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        // `python -c` rather than `-m moto.server`: the child inherits the signal mask of
        // the test thread that spawns it, where SIGTERM is blocked, so clear it first
        // (the serialising script does too: it is the one the README tells users to run).
        let launch = serializeRequests
            ? [serialisedScript]
            : ["-c", "import signal, moto.server\nsignal.pthread_sigmask(signal.SIG_SETMASK, [])\nmoto.server.main()\n"]
        process.arguments = launch + ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(port: port, process: process, logFile: logFile)

        let deadline = Date().addingTimeInterval(readyTimeout)
        while Date() < deadline {
            if LocalPorts.isAccepting(port: port) { return server }
            if !process.isRunning {
                throw StartFailure(description: "moto_server exited with \(process.terminationStatus): \(server.logTail())")
            }
            usleep(100_000)
        }
        server.stop()
        throw StartFailure(description: "moto_server did not listen on port \(port) within \(readyTimeout) s: \(server.logTail())")
    }

    /// `scripts/moto-serialised`: moto with one request at a time.
    private static let serialisedScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/moto-serialised").path

    /// SIGTERM by PID, then SIGKILL if it has not exited after 5 s.
    public func stop() {
        let pid = process.processIdentifier
        guard pid > 0, process.isRunning else { return }
        kill(pid, SIGTERM)
        // `waitUntilExit` spins the run loop that notices the exit; polling `isRunning`
        // in a loop of our own would not see it change.
        let process = self.process
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [process] in
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logFile)
    }

    public func logTail() -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    /// The absolute path of a Python interpreter that can import moto.server.
    public static func motoPython() throws -> String {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sys, moto.server; print(sys.executable)"]
        let output = Pipe()
        probe.standardOutput = output
        probe.standardError = output
        do {
            try probe.run()
        } catch {
            throw StartFailure(description: "python3 could not be started (\(error)); install python3 and `pip install 'moto[server]'`")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard probe.terminationStatus == 0, let path = text.split(separator: "\n").last.map(String.init),
            path.hasPrefix("/")
        else {
            throw StartFailure(description: "moto is not importable by python3 (`pip install 'moto[server]'`): \(text)")
        }
        return path
    }
}
