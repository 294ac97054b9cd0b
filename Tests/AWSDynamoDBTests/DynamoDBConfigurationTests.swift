import Foundation
import XCTest

@testable import AWSDynamoDB

/// `DynamoDBConfiguration.fromEnvironment` and `DefaultCredentialsProvider`, with an
/// injected environment and a temporary home directory (never the real ones).
final class DynamoDBConfigurationTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("awsdynamodb-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: home)
    }

    private func writeCredentialsFile(_ contents: String, at path: String = ".aws/credentials") throws {
        try contents.write(to: home.appendingPathComponent(path), atomically: true, encoding: .utf8)
    }

    private func configuration(_ environment: [String: String]) throws -> DynamoDBConfiguration {
        try DynamoDBConfiguration.fromEnvironment(environment, homeDirectory: home.path)
    }

    private func configurationError(_ environment: [String: String]) -> DynamoDBConfigurationError? {
        do {
            _ = try DynamoDBConfiguration.fromEnvironment(environment, homeDirectory: home.path)
            return nil
        } catch {
            return error
        }
    }

    private static let sampleFile = """
        # comment
        ; another comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secret/default+key=

        [teams]
        AWS_ACCESS_KEY_ID=AKIDTEAMS
        aws_secret_access_key=secretteams
        aws_session_token = tokenteams

        [profile prefixed]
        aws_access_key_id = AKIDPREFIXED
        aws_secret_access_key = secretprefixed
        """

    // MARK: Credentials

    func testEnvironmentCredentialsAndRegion() async throws {
        let config = try configuration([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "tokenenv",
            "AWS_REGION": "eu-west-1",
        ])
        let credentials = try DefaultCredentialsProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "tokenenv",
        ]).resolve()
        XCTAssertEqual(credentials.credentials, AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "secretenv", sessionToken: "tokenenv"))
        XCTAssertEqual(credentials.source, .environment)
        XCTAssertEqual(config.region, "eu-west-1")
        XCTAssertEqual(config.endpoint.absoluteString, "https://dynamodb.eu-west-1.amazonaws.com")
        let resolved = try await config.credentialsProvider.credentials()
        XCTAssertEqual(resolved.accessKeyID, "AKIDENV")
        XCTAssertEqual(resolved.sessionToken, "tokenenv")
    }

    func testEnvironmentCredentialsWinOverTheFile() throws {
        try writeCredentialsFile(Self.sampleFile)
        let resolved = try DefaultCredentialsProvider(
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv"],
            homeDirectory: home.path
        ).resolve()
        XCTAssertEqual(resolved.credentials.accessKeyID, "AKIDENV")
        XCTAssertNil(resolved.credentials.sessionToken)
    }

    func testDefaultProfileFromSharedCredentialsFile() throws {
        try writeCredentialsFile(Self.sampleFile)
        let resolved = try DefaultCredentialsProvider(environment: [:], homeDirectory: home.path).resolve()
        XCTAssertEqual(
            resolved.credentials,
            AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "secret/default+key=")
        )
        XCTAssertEqual(
            resolved.source,
            .sharedCredentialsFile(path: home.appendingPathComponent(".aws/credentials").path, profile: "default")
        )
    }

    func testAWSProfileSelectsTheProfileAndKeysAreCaseInsensitive() throws {
        try writeCredentialsFile(Self.sampleFile)
        let resolved = try DefaultCredentialsProvider(environment: ["AWS_PROFILE": "teams"], homeDirectory: home.path).resolve()
        XCTAssertEqual(
            resolved.credentials,
            AWSCredentials(accessKeyID: "AKIDTEAMS", secretAccessKey: "secretteams", sessionToken: "tokenteams")
        )
        let prefixed = try DefaultCredentialsProvider(environment: ["AWS_PROFILE": "prefixed"], homeDirectory: home.path).resolve()
        XCTAssertEqual(prefixed.credentials.accessKeyID, "AKIDPREFIXED")
    }

    func testSharedCredentialsFileOverrideAndHomeFromEnvironment() throws {
        try writeCredentialsFile("[default]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=other\n", at: "elsewhere.ini")
        let other = try DefaultCredentialsProvider(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": home.appendingPathComponent("elsewhere.ini").path],
            homeDirectory: home.path
        ).resolve()
        XCTAssertEqual(other.credentials.accessKeyID, "AKIDOTHER")

        // `~/` in the override, and HOME from the injected environment when no home is given.
        let tilde = try DefaultCredentialsProvider(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere.ini", "HOME": home.path]
        ).resolve()
        XCTAssertEqual(tilde.credentials.accessKeyID, "AKIDOTHER")
    }

    func testBlankVariablesCountAsUnset() async throws {
        try writeCredentialsFile(Self.sampleFile)
        let config = try configuration([
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": " ", "AWS_PROFILE": "", "AWS_REGION": "",
            "AWS_DEFAULT_REGION": "ap-south-1",
        ])
        XCTAssertEqual(config.region, "ap-south-1")
        let resolved = try await config.credentialsProvider.credentials()
        XCTAssertEqual(resolved.accessKeyID, "AKIDDEFAULT")
    }

    func testMissingCredentialsErrorNamesWhatToSet() throws {
        let error = configurationError(["AWS_REGION": "eu-west-1", "AWS_PROFILE": "prod"])
        let expectedPath = home.appendingPathComponent(".aws/credentials").path
        XCTAssertEqual(error, .missingCredentials(profile: "prod", credentialsFile: expectedPath))
        let message = try XCTUnwrap(error).description
        XCTAssertFalse(message.contains("\n"), message)
        for fragment in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "[prod]", expectedPath, "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"] {
            XCTAssertTrue(message.contains(fragment), "\(fragment) not in: \(message)")
        }
    }

    func testProfileMissingFromAnExistingFileIsMissingCredentials() throws {
        try writeCredentialsFile(Self.sampleFile)
        XCTAssertEqual(
            configurationError(["AWS_REGION": "eu-west-1", "AWS_PROFILE": "nope"]),
            .missingCredentials(profile: "nope", credentialsFile: home.appendingPathComponent(".aws/credentials").path)
        )
    }

    func testHalfAKeyPairIsReported() throws {
        XCTAssertEqual(
            configurationError(["AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID"]),
            .incompleteCredentials(source: "environment", missing: "AWS_SECRET_ACCESS_KEY")
        )
        try writeCredentialsFile("[default]\naws_access_key_id = AKID\n")
        let error = configurationError(["AWS_REGION": "eu-west-1"])
        guard case .incompleteCredentials(_, let missing) = error else {
            return XCTFail("expected incompleteCredentials, got \(String(describing: error))")
        }
        XCTAssertEqual(missing, "aws_secret_access_key")
    }

    func testCredentialsDescriptionHidesSecrets() {
        let description = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t", sessionToken: "t0k3n").description
        XCTAssertTrue(description.contains("AKID"))
        XCTAssertFalse(description.contains("s3cr3t"))
        XCTAssertFalse(description.contains("t0k3n"))
    }

    // MARK: Region and endpoint

    private let credentials = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"]

    func testMissingRegionErrorNamesTheVariables() throws {
        let error = configurationError(credentials)
        XCTAssertEqual(error, .missingRegion)
        let message = try XCTUnwrap(error).description
        XCTAssertFalse(message.contains("\n"))
        XCTAssertTrue(message.contains("AWS_REGION") && message.contains("AWS_DEFAULT_REGION"), message)
    }

    func testRegionPrecedence() throws {
        XCTAssertEqual(try configuration(credentials.merging(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"]) { $1 }).region, "eu-west-1")
        XCTAssertEqual(try configuration(credentials.merging(["AWS_DEFAULT_REGION": "us-east-2"]) { $1 }).region, "us-east-2")
    }

    func testEndpointPrecedence() throws {
        let base = credentials.merging(["AWS_REGION": "eu-west-1"]) { $1 }
        XCTAssertEqual(
            try configuration(base.merging([
                "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL": "http://localhost:4566",
            ]) { $1 }).endpoint.absoluteString,
            "http://127.0.0.1:8000"
        )
        XCTAssertEqual(
            try configuration(base.merging(["AWS_ENDPOINT_URL": "http://localhost:4566"]) { $1 }).endpoint.absoluteString,
            "http://localhost:4566"
        )
        XCTAssertEqual(try configuration(base).endpoint.absoluteString, "https://dynamodb.eu-west-1.amazonaws.com")
    }

    func testInvalidEndpointIsReported() {
        let error = configurationError(credentials.merging(["AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_DYNAMODB": "localhost:8000"]) { $1 })
        XCTAssertEqual(error, .invalidEndpoint(variable: "AWS_ENDPOINT_URL_DYNAMODB", value: "localhost:8000"))
    }

    func testSharedCredentialsFileParser() {
        let parsed = SharedCredentialsFile.parse("stray = 1\n[a]\nk = v = w\n  [ b ]  \nK=1\nnot a pair\n[a]\nj=2\n")
        XCTAssertEqual(parsed, ["a": ["k": "v = w", "j": "2"], "b": ["k": "1"]])
    }
}
