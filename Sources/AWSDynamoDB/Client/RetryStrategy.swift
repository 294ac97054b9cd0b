import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import TeamsSupport

/// When and how long to wait before trying a failed request again: the AWS SDKs'
/// *standard* retry mode.
///
/// - Attempts: at most `maxAttempts` in total, 3 by default ("standard – ... The
///   default maximum number of attempts with this mode is three", AWS SDKs and Tools
///   Reference Guide, *Retry behavior*:
///   https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
/// - Backoff before retry *i* (1-based), truncated binary exponential with full jitter,
///   as botocore's `retries/standard.py` `ExponentialBackoff.delay_amount` computes it:
///   `jitter() × min(base × 2^(i−1), maxBackoff)`, `jitter()` uniform in `[0, 1)`,
///   `maxBackoff` 20 s, `base` 1 s for throttling errors and 25 ms for other transient
///   errors (botocore's base scales, with its DynamoDB value for the latter).
/// - Retried: throttling error codes (`throttlingErrorCodes`, any HTTP status, and
///   HTTP 429), HTTP 5xx and the transient codes (`transientErrorCodes`), and failures
///   to reach the endpoint (refused or reset connections, connect/read/write timeouts).
/// - Never retried: everything else, notably `ConditionalCheckFailedException`,
///   `TransactionCanceledException` and `ValidationException`.
///
/// Not implemented: the standard mode's client-wide retry quota (token bucket).
///
/// A request that timed out may still have been applied; a retried conditional write
/// can then fail its own condition. That is the SDKs' behaviour too.
public struct RetryStrategy: Sendable {
    /// How a failed attempt is treated.
    public enum ErrorCategory: Sendable, Hashable {
        /// The service asked the client to slow down; retried with the longer base delay.
        case throttling
        /// The failure is likely to go away (5xx, connection trouble); retried.
        case transient
        /// Retrying would fail the same way.
        case nonRetryable
    }

    /// Attempts in total, the first included; 1 disables retries.
    public var maxAttempts: Int
    public var throttlingBaseDelay: Duration
    public var transientBaseDelay: Duration
    public var maxBackoff: Duration
    /// Waits between attempts. Inject a recorder in tests so they do not sleep.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in `[0, 1)`; inject a constant in tests to pin the backoff.
    public var jitter: @Sendable () -> Double

    public init(
        maxAttempts: Int = 3,
        throttlingBaseDelay: Duration = .seconds(1),
        transientBaseDelay: Duration = .milliseconds(25),
        maxBackoff: Duration = .seconds(20),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.throttlingBaseDelay = throttlingBaseDelay
        self.transientBaseDelay = transientBaseDelay
        self.maxBackoff = maxBackoff
        self.sleep = sleep
        self.jitter = jitter
    }

    /// The SDK standard mode with its defaults.
    public static var standard: RetryStrategy { RetryStrategy() }

    /// One attempt, no retries.
    public static var disabled: RetryStrategy { RetryStrategy(maxAttempts: 1) }

    /// Error codes that mean "slow down" (botocore's `ThrottledRetryableChecker` list).
    public static let throttlingErrorCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    /// Error codes that mean another request holds the item now (a write meeting a
    /// transaction on it): retried like throttling, with jittered backoff, and counted
    /// apart (`dynamodb_conflicts_total`).
    public static let conflictErrorCodes: Set<String> = ["TransactionConflictException"]

    /// Error codes that mean "try again" whatever the status (botocore's
    /// `TransientRetryableChecker` list).
    public static let transientErrorCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    ]

    /// The category of a service error response, from its short `__type` and HTTP status.
    public static func category(ofServiceError type: String, statusCode: Int) -> ErrorCategory {
        if throttlingErrorCodes.contains(type) || conflictErrorCodes.contains(type) || statusCode == 429 { return .throttling }
        if transientErrorCodes.contains(type) || (500...599).contains(statusCode) { return .transient }
        return .nonRetryable
    }

    /// The category of an error thrown while sending a request or reading its response.
    public static func category(ofTransportError error: any Error) -> ErrorCategory {
        switch error {
        case is CancellationError:
            return .nonRetryable
        case let error as HTTPClientError:
            let transient: [HTTPClientError] = [
                .connectTimeout, .readTimeout, .writeTimeout, .remoteConnectionClosed,
                .getConnectionFromPoolTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
            ]
            return transient.contains(error) ? .transient : .nonRetryable
        case is NIOConnectionError, is IOError:
            // Refused, reset, unreachable: the socket layer failed, not the request.
            return .transient
        case let error as ChannelError:
            switch error {
            case .connectTimeout, .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return .transient
            default:
                return .nonRetryable
            }
        default:
            return .nonRetryable
        }
    }

    /// The wait before retry number `retry` (1 = after the first attempt failed).
    public func backoff(beforeRetry retry: Int, category: ErrorCategory) -> Duration {
        let base = category == .throttling ? throttlingBaseDelay : transientBaseDelay
        return Backoff(base: base, multiplier: 2, max: maxBackoff, jitter: .full).delay(forAttempt: retry - 1, random: jitter)
    }

    /// Runs `attempt` (given its 1-based number) until it succeeds, fails for good, or
    /// the attempts run out.
    ///
    /// `attempt` reports failures as `AttemptFailure`; they come out mapped to
    /// `DynamoDBError`. Any other error (cancellation, a credentials provider's error)
    /// ends the loop at once and is rethrown unchanged.
    func execute<Result>(_ attempt: (Int) async throws -> Result) async throws -> Result {
        var attemptNumber = 1
        while true {
            do {
                return try await attempt(attemptNumber)
            } catch let failure as AttemptFailure {
                let category = failure.category
                guard category != .nonRetryable, attemptNumber < maxAttempts else {
                    throw failure.finalError(category: category, attempts: attemptNumber)
                }
                try await sleep(backoff(beforeRetry: attemptNumber, category: category))
                attemptNumber += 1
            }
        }
    }
}

/// Why one attempt failed, before the retry decision.
enum AttemptFailure: Error {
    /// The request could not be sent or its response not read.
    case transport(any Error, endpoint: String)
    /// DynamoDB answered with an error.
    case service(ServiceErrorResponse)

    var category: RetryStrategy.ErrorCategory {
        switch self {
        case .transport(let error, _): RetryStrategy.category(ofTransportError: error)
        case .service(let response): RetryStrategy.category(ofServiceError: response.type, statusCode: response.statusCode)
        }
    }

    func finalError(category: RetryStrategy.ErrorCategory, attempts: Int) -> DynamoDBError {
        let after = "after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        switch self {
        case .transport(let error, let endpoint):
            return .unavailable("\(endpoint) could not be reached (\(after)): \(error)")
        case .service(let response):
            switch category {
            case .throttling:
                return .throttled("\(response.type): \(response.message) (\(after))")
            case .transient where (500...599).contains(response.statusCode):
                return .unavailable("HTTP \(response.statusCode) \(response.type): \(response.message) (\(after))")
            case .transient, .nonRetryable:
                return DynamoDBError(response)
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
