import Foundation

/// Everything a `DynamoDBClient` needs to reach and sign for one DynamoDB endpoint.
public struct DynamoDBConfiguration: Sendable {
    /// The signing region, e.g. `eu-west-1`.
    public var region: String
    /// Where requests go: `https://dynamodb.<region>.amazonaws.com` unless overridden
    /// (DynamoDB Local, moto, a VPC endpoint). Requests are `POST`ed to its path, `/`
    /// when it has none.
    public var endpoint: URL
    /// Where DynamoDB Streams requests go: `https://streams.dynamodb.<region>.amazonaws.com`
    /// by default, or `endpoint` when that was overridden (moto and DynamoDB Local
    /// answer both APIs on one port).
    public var streamsEndpoint: URL
    public var credentialsProvider: any CredentialsProvider
    public var retryStrategy: RetryStrategy
    /// Limit for one attempt (connect, send, receive); retries get a fresh one each.
    public var requestTimeout: Duration
    /// Connect timeout of the `HTTPClient` the client creates itself. An injected
    /// `HTTPClient` keeps its own settings.
    public var connectTimeout: Duration
    /// Headers added to every attempt, unsigned, read when it is sent: e.g. the W3C
    /// `traceparent` of the call being served. None by default.
    public var requestHeaders: @Sendable () -> [(name: String, value: String)] = { [] }

    public init(
        region: String,
        credentialsProvider: any CredentialsProvider,
        endpoint: URL? = nil,
        streamsEndpoint: URL? = nil,
        retryStrategy: RetryStrategy = .standard,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.region = region
        self.credentialsProvider = credentialsProvider
        self.endpoint = endpoint ?? Self.defaultEndpoint(region: region)
        self.streamsEndpoint = streamsEndpoint ?? endpoint ?? Self.defaultStreamsEndpoint(region: region)
        self.retryStrategy = retryStrategy
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    public init(
        region: String,
        credentials: AWSCredentials,
        endpoint: URL? = nil,
        streamsEndpoint: URL? = nil,
        retryStrategy: RetryStrategy = .standard,
        requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5)
    ) {
        self.init(
            region: region,
            credentialsProvider: StaticCredentialsProvider(credentials),
            endpoint: endpoint,
            streamsEndpoint: streamsEndpoint,
            retryStrategy: retryStrategy,
            requestTimeout: requestTimeout,
            connectTimeout: connectTimeout
        )
    }

    /// `https://dynamodb.<region>.amazonaws.com` (the `aws` partition; China and GovCloud
    /// regions need an explicit endpoint).
    public static func defaultEndpoint(region: String) -> URL {
        URL(string: "https://dynamodb.\(region).amazonaws.com")!
    }

    /// `https://streams.dynamodb.<region>.amazonaws.com`.
    public static func defaultStreamsEndpoint(region: String) -> URL {
        URL(string: "https://streams.dynamodb.\(region).amazonaws.com")!
    }

    /// Builds a configuration from environment variables, following the AWS SDK conventions.
    ///
    /// - Region: `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    /// - Credentials: see `DefaultCredentialsProvider` (environment, then the shared
    ///   credentials file). They are resolved once, now, so a misconfiguration fails at
    ///   startup rather than on the first request.
    /// - Endpoint: `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else the regional
    ///   default.
    /// - Streams endpoint: `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`, else `AWS_ENDPOINT_URL`,
    ///   else the DynamoDB endpoint when one was set, else the regional default.
    ///
    /// - Parameters:
    ///   - environment: the variables to read; pass `ProcessInfo.processInfo.environment`
    ///     in production and a literal dictionary in tests.
    ///   - homeDirectory: where `.aws/credentials` is looked for; `nil` means `HOME` from
    ///     `environment`.
    /// - Throws: `DynamoDBConfigurationError`, whose description is a single line naming
    ///   the missing setting and how to set it.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil
    ) throws(DynamoDBConfigurationError) -> DynamoDBConfiguration {
        guard let region = environment.nonEmpty("AWS_REGION") ?? environment.nonEmpty("AWS_DEFAULT_REGION") else {
            throw .missingRegion
        }
        let credentials = try DefaultCredentialsProvider(environment: environment, homeDirectory: homeDirectory)
            .resolve().credentials

        let endpoint = try endpointURL(environment, ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"])
        let streamsEndpoint = try endpointURL(environment, ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "AWS_ENDPOINT_URL"])
        return DynamoDBConfiguration(
            region: region, credentials: credentials, endpoint: endpoint, streamsEndpoint: streamsEndpoint ?? endpoint)
    }

    /// The first of `variables` that is set, as an http(s) URL with a host.
    private static func endpointURL(_ environment: [String: String], _ variables: [String]) throws(DynamoDBConfigurationError) -> URL? {
        for variable in variables {
            guard let value = environment.nonEmpty(variable) else { continue }
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
            else {
                throw .invalidEndpoint(variable: variable, value: value)
            }
            return url
        }
        return nil
    }
}
