import Foundation

/// Supplies the credentials a request is signed with.
///
/// The client asks before every attempt, so a provider may rotate credentials; one
/// that reads files or calls out should cache.
public protocol CredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Always the same credentials.
public struct StaticCredentialsProvider: CredentialsProvider {
    public let value: AWSCredentials

    public init(_ credentials: AWSCredentials) {
        self.value = credentials
    }

    public func credentials() async throws -> AWSCredentials {
        value
    }
}

/// Finds credentials the way the AWS SDKs' default chain starts:
///
/// 1. the environment: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
/// 2. the shared credentials file, `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`,
///    profile `AWS_PROFILE` or `default`.
///
/// Later links of the SDK chain (`~/.aws/config`, SSO, web identity, container and
/// instance metadata) are not consulted. Everything is read from the injected
/// `environment` and `homeDirectory`, never from the process, so tests control it.
/// `credentials()` resolves anew on every call (the file is read again); to resolve
/// once, at startup, use `DynamoDBConfiguration.fromEnvironment` or `resolve()`.
public struct DefaultCredentialsProvider: CredentialsProvider {
    /// Where a set of credentials was found, for logs and error messages.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case environment
        case sharedCredentialsFile(path: String, profile: String)

        public var description: String {
            switch self {
            case .environment: "environment variables"
            case .sharedCredentialsFile(let path, let profile): "profile [\(profile)] in \(path)"
            }
        }
    }

    public let environment: [String: String]
    public let homeDirectory: String?

    public init(environment: [String: String], homeDirectory: String? = nil) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The profile named by `AWS_PROFILE`, else `default`.
    public var profile: String {
        environment.nonEmpty("AWS_PROFILE") ?? "default"
    }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `<home>/.aws/credentials`; `~/` is expanded
    /// against `homeDirectory`. `nil` only when no home directory is known.
    public var sharedCredentialsFilePath: String? {
        if let path = environment.nonEmpty("AWS_SHARED_CREDENTIALS_FILE") {
            return expandTilde(path)
        }
        guard let home = resolvedHome else { return nil }
        return (home as NSString).appendingPathComponent(".aws/credentials")
    }

    /// Resolves credentials now.
    ///
    /// - Returns: the credentials and where they came from.
    /// - Throws: `DynamoDBConfigurationError.missingCredentials` when neither source has
    ///   them, `.incompleteCredentials` when a source has only half of a key pair, and
    ///   `.unreadableCredentialsFile` when the file exists but cannot be read.
    public func resolve() throws(DynamoDBConfigurationError) -> (credentials: AWSCredentials, source: Source) {
        let accessKey = environment.nonEmpty("AWS_ACCESS_KEY_ID")
        let secretKey = environment.nonEmpty("AWS_SECRET_ACCESS_KEY")
        switch (accessKey, secretKey) {
        case (let access?, let secret?):
            let credentials = AWSCredentials(
                accessKeyID: access,
                secretAccessKey: secret,
                sessionToken: environment.nonEmpty("AWS_SESSION_TOKEN")
            )
            return (credentials, .environment)
        case (.some, nil):
            throw .incompleteCredentials(source: "environment", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, .some):
            throw .incompleteCredentials(source: "environment", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil):
            break
        }

        let profile = self.profile
        let path = sharedCredentialsFilePath
        if let path, FileManager.default.fileExists(atPath: path) {
            let contents: String
            do {
                contents = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .unreadableCredentialsFile(path: path, reason: "\(error)")
            }
            if let section = SharedCredentialsFile.parse(contents)[profile] {
                let source = Source.sharedCredentialsFile(path: path, profile: profile)
                switch (section.nonEmpty("aws_access_key_id"), section.nonEmpty("aws_secret_access_key")) {
                case (let access?, let secret?):
                    let credentials = AWSCredentials(
                        accessKeyID: access,
                        secretAccessKey: secret,
                        sessionToken: section.nonEmpty("aws_session_token")
                    )
                    return (credentials, source)
                case (nil, _):
                    throw .incompleteCredentials(source: source.description, missing: "aws_access_key_id")
                case (_, nil):
                    throw .incompleteCredentials(source: source.description, missing: "aws_secret_access_key")
                }
            }
        }
        throw .missingCredentials(profile: profile, credentialsFile: path ?? "~/.aws/credentials")
    }

    public func credentials() async throws -> AWSCredentials {
        try resolve().credentials
    }

    private var resolvedHome: String? {
        if let home = homeDirectory, !home.isEmpty { return home }
        return environment.nonEmpty("HOME")
    }

    private func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = resolvedHome else { return path }
        return home + path.dropFirst()
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value for `key` unless it is missing or blank: SDKs treat `FOO=` as unset.
    func nonEmpty(_ key: String) -> String? {
        guard let value = self[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
