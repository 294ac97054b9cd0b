import Foundation
import NIOHTTP1
import XCTest

@testable import AWSDynamoDB

/// `SigV4Signer` against botocore's `SigV4Auth` on DynamoDB requests.
///
/// `Fixtures/botocore_sign_dynamodb.py` signs fixed DynamoDB requests (fixed credentials,
/// clock, region and body) with botocore and prints inputs and results as JSON. The
/// live test runs it now (skipped only when python3 or botocore is missing); the other
/// test checks the committed output of the same script, so the comparison never
/// silently disappears.
final class BotocoreSigningTests: XCTestCase {
    struct Output: Decodable {
        var botocoreVersion: String
        var cases: [Case]
    }

    struct Case: Decodable {
        struct Inputs: Decodable {
            var method: String
            var url: String
            var region: String
            var service: String
            var accessKeyID: String
            var secretAccessKey: String
            var sessionToken: String?
            var date: String
            var headers: [[String]]
            var body: String
        }

        struct Expected: Decodable {
            var canonicalRequest: String
            var stringToSign: String
            var authorization: String
            var xAmzDate: String
            var xAmzSecurityToken: String?
        }

        var name: String
        var inputs: Inputs
        var expected: Expected
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testSignerMatchesCommittedBotocoreOutput() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("botocore_expected.json"))
        let output = try JSONDecoder().decode(Output.self, from: data)
        XCTAssertEqual(output.cases.count, 3)
        try assertSignerMatches(output)
    }

    func testSignerMatchesBotocoreRunNow() throws {
        let script = Self.fixtures.appendingPathComponent("botocore_sign_dynamodb.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw XCTSkip("python3 could not be started: \(error)")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 || errors.contains("No module named 'botocore'") {
            throw XCTSkip("python3 with botocore is not installed: \(errors)")
        }
        XCTAssertEqual(process.terminationStatus, 0, errors)
        let output = try JSONDecoder().decode(Output.self, from: data)
        try assertSignerMatches(output)
    }

    private func assertSignerMatches(_ output: Output, file: StaticString = #filePath, line: UInt = #line) throws {
        for testCase in output.cases {
            let inputs = testCase.inputs
            let date = try XCTUnwrap(ISO8601DateFormatter().date(from: inputs.date))
            let credentials = AWSCredentials(
                accessKeyID: inputs.accessKeyID,
                secretAccessKey: inputs.secretAccessKey,
                sessionToken: inputs.sessionToken
            )
            let signer = SigV4Signer(credentials: credentials, region: inputs.region, service: inputs.service)
            let headers = HTTPHeaders(inputs.headers.map { ($0[0], $0[1]) })
            let signed = signer.sign(
                method: inputs.method,
                url: try XCTUnwrap(URL(string: inputs.url)),
                headers: headers,
                body: Array(inputs.body.utf8),
                date: date
            )
            let context = "\(testCase.name) (botocore \(output.botocoreVersion))"
            XCTAssertEqual(signed.canonicalRequest, testCase.expected.canonicalRequest, context, file: file, line: line)
            XCTAssertEqual(signed.stringToSign, testCase.expected.stringToSign, context, file: file, line: line)
            XCTAssertEqual(signed.authorization, testCase.expected.authorization, context, file: file, line: line)
            XCTAssertEqual(signed.headers["X-Amz-Date"], [testCase.expected.xAmzDate], context, file: file, line: line)
            XCTAssertEqual(
                signed.headers["X-Amz-Security-Token"].first, testCase.expected.xAmzSecurityToken, context,
                file: file, line: line
            )
        }
    }

    /// The client's own request for the first botocore case: same headers, same body,
    /// hence the same Authorization as botocore's.
    func testClientSignsItsRequestsLikeBotocore() async throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("botocore_expected.json"))
        let testCase = try XCTUnwrap(try JSONDecoder().decode(Output.self, from: data).cases.first { $0.name == "get-item" })
        let inputs = testCase.inputs
        let configuration = DynamoDBConfiguration(
            region: inputs.region,
            credentials: AWSCredentials(accessKeyID: inputs.accessKeyID, secretAccessKey: inputs.secretAccessKey),
            endpoint: URL(string: "https://dynamodb.eu-west-1.amazonaws.com")
        )
        let client = DynamoDBClient(configuration: configuration)
        let request = client.signedRequest(
            operation: "GetItem",
            body: Array(inputs.body.utf8),
            credentials: AWSCredentials(accessKeyID: inputs.accessKeyID, secretAccessKey: inputs.secretAccessKey),
            date: try XCTUnwrap(ISO8601DateFormatter().date(from: inputs.date))
        )
        XCTAssertEqual(request.url, "https://dynamodb.eu-west-1.amazonaws.com/")
        XCTAssertEqual(request.method, .POST)
        XCTAssertEqual(request.headers["Authorization"], [testCase.expected.authorization])
        XCTAssertEqual(request.headers["X-Amz-Target"], ["DynamoDB_20120810.GetItem"])
        XCTAssertEqual(request.headers["Content-Type"], ["application/x-amz-json-1.0"])
        try await client.shutdown()
    }
}
