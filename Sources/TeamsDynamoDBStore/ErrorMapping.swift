import AWSDynamoDB
import TeamsDomain

/// DynamoDB's failures in the store's terms: the one place where they are mapped.
///
/// Condition failures are not mapped here: what they mean (`.alreadyExists`,
/// `.versionConflict`, `.notFound`) depends on the operation, so each operation
/// decides. Everything else:
///
/// | DynamoDB                                   | RepositoryError                       |
/// |--------------------------------------------|---------------------------------------|
/// | unreachable, HTTP 5xx after the retries    | `.unavailable` (retryable)            |
/// | throttled after the retries                | `.unavailable` (retryable)            |
/// | `ResourceNotFoundException`                | `.misconfigured("table X does not exist")` |
/// | access denied, bad credentials             | `.misconfigured`                      |
/// | item or transaction too large              | `.resourceExhausted`                  |
/// | an unreadable response                     | `.unavailable`                        |
enum ErrorMapping {
    static func repositoryError(_ error: any Error, table: String) -> RepositoryError {
        if let error = error as? RepositoryError { return error }
        if error is CancellationError { return .unavailable("the call was cancelled") }
        guard let error = error as? DynamoDBError else {
            // A credentials provider's own error: nothing a retry would fix.
            return .misconfigured("DynamoDB credentials: \(error)")
        }
        switch error {
        case .unavailable(let message):
            return .unavailable("DynamoDB table \(table) unreachable: \(message)")
        case .throttled(let message):
            return .unavailable("DynamoDB throttled the request, retry later: \(message)")
        case .resourceNotFound:
            return .misconfigured("table \(table) does not exist")
        case .resourceInUse(let message):
            return .unavailable("table \(table) is busy: \(message)")
        case .validation(let message):
            if message.localizedCaseInsensitiveContains("size") {
                return .resourceExhausted("DynamoDB size limit: \(message)")
            }
            return .misconfigured("DynamoDB rejected the request: \(message)")
        case .service(let type, let message, let status):
            if accessErrors.contains(type) {
                return .misconfigured("DynamoDB refused access to table \(table): \(type): \(message)")
            }
            return .unavailable("DynamoDB error \(type) (HTTP \(status)): \(message)")
        case .invalidResponse(let message):
            return .unavailable("unreadable DynamoDB response: \(message)")
        case .conditionalCheckFailed, .transactionCanceled:
            // The operations handle these; one that slips through is a lost race.
            return .unavailable("\(error)")
        }
    }

    /// Errors that mean the credentials or their permissions are wrong.
    static let accessErrors: Set<String> = [
        "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
        "MissingAuthenticationTokenException", "ExpiredTokenException", "IncompleteSignatureException",
    ]
}
