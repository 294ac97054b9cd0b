import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Synchronization

/// A DynamoDB client speaking the JSON 1.0 protocol over `AsyncHTTPClient`.
///
/// Every call is a signed `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>`
/// (`DynamoDBStreams_20120810.<Operation>` for the Streams API, at its own endpoint)
/// and `Content-Type: application/x-amz-json-1.0`, retried as `RetryStrategy` says
/// (each attempt is signed anew). Typed operations are in `DynamoDBClient+Operations`
/// and `DynamoDBClient+Streams`; `send(operation:body:)` reaches any other operation.
/// Operations that can report consumed capacity are asked to (`ConsumedCapacityMetrics`).
///
/// Errors: calls throw `DynamoDBError`, except that cancellation throws
/// `CancellationError` and a failing `CredentialsProvider`'s error is rethrown as is.
///
/// Lifecycle: a client made with `init(configuration:logger:)` owns its `HTTPClient`
/// (one pool of keep-alive connections) and must be `shutdown()` before it is released.
/// A client given an `HTTPClient` never shuts it down; its owner does.
public final class DynamoDBClient: Sendable {
    public let configuration: DynamoDBConfiguration
    let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    private let isShutDown = Mutex(false)
    private let logger: Logger
    /// The endpoints with a path (`/` when they had none), what is signed and sent.
    private let requestURL: URL
    private let streamsRequestURL: URL

    /// Which of the two APIs a call goes to: they differ in endpoint and target prefix,
    /// and both are signed for the `dynamodb` service.
    public enum API: Sendable {
        case dynamoDB
        case streams

        var targetPrefix: String {
            switch self {
            case .dynamoDB: "DynamoDB_20120810"
            case .streams: "DynamoDBStreams_20120810"
            }
        }
    }

    /// The largest response body read: DynamoDB pages stop at 1 MB of data, and
    /// transactions and batches at 16 MB of input.
    static let maxResponseBytes = 32 * 1024 * 1024

    /// A client with its own `HTTPClient` (on the shared NIO event loops, with
    /// `configuration.connectTimeout`); call `shutdown()` when done.
    public convenience init(configuration: DynamoDBConfiguration, logger: Logger = Logger(label: "AWSDynamoDB")) {
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.timeout = .init(connect: .init(configuration.connectTimeout), read: nil)
        // A failed connect fails the request now, so `RetryStrategy` alone decides on
        // retries (otherwise the pool would keep trying until the request's deadline).
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        self.init(configuration: configuration, httpClient: httpClient, ownsHTTPClient: true, logger: logger)
    }

    /// A client on an `HTTPClient` that the caller owns and shuts down.
    public convenience init(
        configuration: DynamoDBConfiguration,
        httpClient: HTTPClient,
        logger: Logger = Logger(label: "AWSDynamoDB")
    ) {
        self.init(configuration: configuration, httpClient: httpClient, ownsHTTPClient: false, logger: logger)
    }

    private init(configuration: DynamoDBConfiguration, httpClient: HTTPClient, ownsHTTPClient: Bool, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.ownsHTTPClient = ownsHTTPClient
        self.logger = logger
        self.requestURL = Self.withPath(configuration.endpoint)
        self.streamsRequestURL = Self.withPath(configuration.streamsEndpoint)
    }

    private static func withPath(_ endpoint: URL) -> URL {
        var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)
        if components?.path.isEmpty ?? false { components?.path = "/" }
        return components?.url ?? endpoint
    }

    /// Shuts down the `HTTPClient` if this client created it; otherwise does nothing.
    /// Safe to call more than once. Calls made afterwards fail with `.unavailable`.
    public func shutdown() async throws {
        guard ownsHTTPClient else { return }
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try await httpClient.shutdown() }
    }

    /// Sends one operation with a raw JSON body and returns the raw JSON of a 2xx answer.
    ///
    /// - Parameters:
    ///   - operation: the operation name, e.g. `"DescribeLimits"`.
    ///   - body: the JSON request, as DynamoDB's API reference documents it.
    ///   - api: DynamoDB itself (the default) or DynamoDB Streams.
    /// - Throws: `DynamoDBError` (see the type's documentation).
    public func send(operation: String, body: [UInt8], api: API = .dynamoDB) async throws -> [UInt8] {
        let endpoint = (api == .dynamoDB ? configuration.endpoint : configuration.streamsEndpoint).absoluteString
        let strategy = configuration.retryStrategy
        let metrics = OperationMetrics(operation)
        return try await strategy.execute { attempt in
            metrics.attempts.increment()
            if attempt > 1 {
                metrics.retries.increment()
                logger.debug("retrying DynamoDB request", metadata: ["operation": "\(operation)", "attempt": "\(attempt)"])
            }
            try Task.checkCancellation()
            let credentials = try await configuration.credentialsProvider.credentials()
            let request = signedRequest(operation: operation, api: api, body: body, credentials: credentials, date: Date())

            let response: HTTPClientResponse
            let responseBody: ByteBuffer
            do {
                response = try await httpClient.execute(request, timeout: .init(configuration.requestTimeout), logger: logger)
                responseBody = try await response.body.collect(upTo: Self.maxResponseBytes)
            } catch {
                try Task.checkCancellation()
                logger.debug("DynamoDB request failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
                throw AttemptFailure.transport(error, endpoint: endpoint)
            }

            let bytes = Array(buffer: responseBody)
            guard (200..<300).contains(response.status.code) else {
                let failure = ServiceErrorResponse(
                    statusCode: Int(response.status.code),
                    errorTypeHeader: response.headers.first(name: "x-amzn-ErrorType"),
                    body: bytes
                )
                if RetryStrategy.conflictErrorCodes.contains(failure.type) {
                    metrics.conflicts.increment()
                } else if RetryStrategy.category(ofServiceError: failure.type, statusCode: failure.statusCode) == .throttling {
                    metrics.throttles.increment()
                }
                logger.debug(
                    "DynamoDB returned an error",
                    metadata: ["operation": "\(operation)", "type": "\(failure.type)", "status": "\(failure.statusCode)"]
                )
                throw AttemptFailure.service(failure)
            }
            return bytes
        }
    }

    /// Sends one operation, encoding `input` and decoding the answer as `Output`.
    ///
    /// - Throws: `DynamoDBError`; `.invalidResponse` when the answer is not `Output`.
    public func send<Output: Decodable>(
        operation: String,
        input: some Encodable,
        as output: Output.Type = Output.self,
        api: API = .dynamoDB
    ) async throws -> Output {
        let measured = api == .dynamoDB && ConsumedCapacityMetrics.reports(operation)
        let body: [UInt8]
        do {
            body = Array(try Self.encoder.encode(measured ? AnyEncodable(input, askingForCapacity: true) : AnyEncodable(input)))
        } catch {
            throw DynamoDBError.validation("\(operation) input could not be encoded: \(error)")
        }
        let response = try await send(operation: operation, body: body, api: api)
        let data = Data(response.isEmpty ? Array("{}".utf8) : response)
        if measured { ConsumedCapacityMetrics.record(operation: operation, response: data) }
        do {
            return try JSONDecoder().decode(Output.self, from: data)
        } catch {
            throw DynamoDBError.invalidResponse("\(operation): \(error)")
        }
    }

    /// The HTTP request for one attempt, signed for `date`.
    func signedRequest(operation: String, api: API = .dynamoDB, body: [UInt8], credentials: AWSCredentials, date: Date) -> HTTPClientRequest {
        let url = api == .dynamoDB ? requestURL : streamsRequestURL
        var headers = HTTPHeaders()
        headers.add(name: "X-Amz-Target", value: "\(api.targetPrefix).\(operation)")
        headers.add(name: "Content-Type", value: "application/x-amz-json-1.0")
        let signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "dynamodb")
        let signed = signer.sign(method: "POST", url: url, headers: headers, body: body, date: date)

        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers = signed.headers
        request.headers.add(name: "User-Agent", value: "aws-dynamodb-swift/1.0")  // not signed
        for header in configuration.requestHeaders() { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Counted per operation through swift-metrics: a no-op until the process bootstraps a backend.
    struct OperationMetrics {
        let attempts: Counter
        let retries: Counter
        let throttles: Counter
        let conflicts: Counter

        init(_ operation: String) {
            attempts = Counter(label: "dynamodb_attempts_total", dimensions: [("operation", operation)])
            retries = Counter(label: "dynamodb_retries_total", dimensions: [("operation", operation)])
            throttles = Counter(label: "dynamodb_throttles_total", dimensions: [("operation", operation)])
            conflicts = Counter(label: "dynamodb_conflicts_total", dimensions: [("operation", operation)])
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
