/// What a DynamoDB call failed with, once retries (if any) are over.
///
/// Service errors are mapped from the response's `__type` (the part after `#`, e.g.
/// `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` →
/// `ConditionalCheckFailedException`) and its `message` / `Message`; this type is the
/// one place where that mapping happens.
public enum DynamoDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A `ConditionExpression` was false (`ConditionalCheckFailedException`). Never retried.
    case conditionalCheckFailed
    /// `TransactionCanceledException`: one code per item of the transaction, in order,
    /// `"None"` for items that did not fail (e.g. `["None", "ConditionalCheckFailed"]`).
    /// Never retried.
    case transactionCanceled(reasons: [String])
    /// The table or index does not exist, or is not `ACTIVE` yet (`ResourceNotFoundException`).
    case resourceNotFound(String)
    /// The table already exists or is being created, updated or deleted (`ResourceInUseException`).
    case resourceInUse(String)
    /// Still throttled when the retry attempts ran out (`ThrottlingException`,
    /// `ProvisionedThroughputExceededException`, `RequestLimitExceeded`, ...).
    case throttled(String)
    /// The request was malformed (`ValidationException`). Never retried.
    case validation(String)
    /// DynamoDB could not be reached (connection refused or reset, timeouts) or kept
    /// answering with HTTP 5xx until the retry attempts ran out.
    case unavailable(String)
    /// Any other service error, with the short `__type`, the message and the HTTP status.
    case service(type: String, message: String, statusCode: Int)
    /// A 2xx response whose body could not be decoded as the operation's output.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .conditionalCheckFailed: "DynamoDB condition check failed"
        case .transactionCanceled(let reasons): "DynamoDB transaction canceled, reasons: [\(reasons.joined(separator: ", "))]"
        case .resourceNotFound(let message): "DynamoDB resource not found: \(message)"
        case .resourceInUse(let message): "DynamoDB resource in use: \(message)"
        case .throttled(let message): "DynamoDB throttled the request: \(message)"
        case .validation(let message): "DynamoDB rejected the request: \(message)"
        case .unavailable(let message): "DynamoDB unavailable: \(message)"
        case .service(let type, let message, let status): "DynamoDB error \(type) (HTTP \(status)): \(message)"
        case .invalidResponse(let message): "DynamoDB response could not be decoded: \(message)"
        }
    }

    /// Maps a non-retryable (or finally failed) service error response.
    init(_ response: ServiceErrorResponse) {
        switch response.type {
        case "ConditionalCheckFailedException":
            self = .conditionalCheckFailed
        case "TransactionCanceledException":
            self = .transactionCanceled(reasons: response.cancellationReasons)
        case "ResourceNotFoundException":
            self = .resourceNotFound(response.message)
        case "ResourceInUseException":
            self = .resourceInUse(response.message)
        case "ValidationException":
            self = .validation(response.message)
        default:
            self = .service(type: response.type, message: response.message, statusCode: response.statusCode)
        }
    }
}
