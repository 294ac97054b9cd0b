import Foundation
import TeamsTestSupport
import XCTest

// These tests run real server processes (rather than `TestServer` in process)
// because this test target does not link the DynamoDB store; the processes are
// also what issue #4 describes: stateless servers sharing one table.

extension ServerProcess {
    /// `teams-server --store dynamodb:TABLE`, pointed at moto through the AWS SDK variables.
    init(binary: URL, table: String, endpoint: URL, extraArguments: [String] = [], port: Int? = nil) throws {
        try self.init(binary: binary, store: "dynamodb:\(table)", environment: Self.awsEnvironment(endpoint), extraArguments: extraArguments, port: port)
    }

    static func awsEnvironment(_ endpoint: URL) -> [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint.absoluteString,
        ]
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
