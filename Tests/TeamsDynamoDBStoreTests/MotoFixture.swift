import AWSDynamoDB
import Foundation
import Logging
import Synchronization
import TeamsTestSupport
import XCTest

/// One `moto_server` per test class, started on first use and stopped by PID in the
/// class's `tearDown`. It serialises requests (see `MotoServer.start`) because these
/// tests write to one table from several stores at once.
final class SharedMoto: Sendable {
    private let state = Mutex<(server: MotoServer?, failure: String?)>((nil, nil))

    func server() throws -> MotoServer {
        try state.withLock { state in
            if let server = state.server { return server }
            if let failure = state.failure { throw XCTSkip("moto_server did not start: \(failure)") }
            do {
                let server = try MotoServer.start(serializeRequests: true)
                state.server = server
                return server
            } catch {
                state.failure = "\(error)"
                throw error
            }
        }
    }

    /// Swaps in a server started elsewhere (the fault tests restart moto).
    func replace(with server: MotoServer?) {
        state.withLock { $0.server = server }
    }

    func stop() {
        let server = state.withLock { state in
            defer { state.server = nil }
            return state.server
        }
        server?.stop()
    }
}

enum MotoFixture {
    static let region = "us-east-1"

    /// A client for `endpoint` with moto's dummy credentials and the standard retries.
    static func client(_ endpoint: URL) -> DynamoDBClient {
        DynamoDBClient(configuration: DynamoDBConfiguration(
            region: region, credentials: AWSCredentials(accessKeyID: "test", secretAccessKey: "test"), endpoint: endpoint,
            requestTimeout: .seconds(10), connectTimeout: .seconds(2)))
    }

    /// The environment `teams-server` would be given to use `endpoint`.
    static func environment(_ endpoint: URL) -> [String: String] {
        ["AWS_REGION": region, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL_DYNAMODB": endpoint.absoluteString]
    }

    /// A table name no other test uses.
    static func freshTableName(_ prefix: String = "teams") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Keeps every log message, to check what a store said.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
    }

    private let entries = Mutex<[Entry]>([])

    var recorded: [Entry] { entries.withLock { $0 } }

    func logger(_ label: String = "teams.dynamodb") -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append(Entry(level: event.level, message: "\(event.message) \(event.metadata ?? [:])"))
        }
    }
}
