import Foundation
import XCTest

@testable import AWSDynamoDB

/// `DynamoDBConfiguration.requestHeaders`: added to every attempt as sent, outside the signature.
final class RequestHeadersTests: XCTestCase {
    func testRequestHeadersAreAddedUnsignedToEachAttempt() async throws {
        let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        var configuration = DynamoDBConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            endpoint: URL(string: "http://127.0.0.1:1"))
        configuration.requestHeaders = { [(name: "traceparent", value: traceParent)] }
        let client = DynamoDBClient(configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let request = client.signedRequest(
            operation: "GetItem", body: Array("{}".utf8), credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            date: Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(request.headers["traceparent"], [traceParent])
        let authorization = try XCTUnwrap(request.headers.first(name: "Authorization"))
        XCTAssertFalse(authorization.contains("traceparent"), "not signed, so a proxy may rewrite it: \(authorization)")

        // Without any, the request carries none.
        let plain = DynamoDBClient(configuration: DynamoDBConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
            endpoint: URL(string: "http://127.0.0.1:1")))
        defer { Task { try? await plain.shutdown() } }
        let untraced = plain.signedRequest(
            operation: "GetItem", body: [], credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"), date: Date())
        XCTAssertTrue(untraced.headers["traceparent"].isEmpty)
    }
}
