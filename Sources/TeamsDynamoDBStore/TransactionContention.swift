import CoreMetrics
import TeamsDomain

/// Why a transaction was cancelled when no item's own condition failed, and how long
/// to wait before trying again. Every reason is counted
/// (`dynamodb_transaction_cancellations_total{reason}`; throttling also in
/// `dynamodb_throttles_total`), so the README's alerts see them.
enum TransactionContention: Sendable, Hashable {
    /// Something else went first: retry at once.
    case lostRace
    /// DynamoDB ran a conflicting transaction on one of the items at the same time.
    case conflict
    /// The table or partition is over its capacity: slow down, for seconds if need be.
    case throttled

    init(_ reasons: [String]) {
        if reasons.contains(where: Self.throttlingReasons.contains) {
            self = .throttled
        } else if reasons.contains("TransactionConflict") {
            self = .conflict
        } else {
            self = .lostRace
        }
    }

    /// Full jitter: lost races up to 50 ms (0.5 ms × 2^n), conflicts up to 1 s, throttling up to 5 s.
    var backoff: Backoff {
        switch self {
        case .lostRace: Backoff(base: .microseconds(500), max: .milliseconds(50), jitter: .full)
        case .conflict: Backoff(base: .milliseconds(5), max: .seconds(1), jitter: .full)
        case .throttled: Backoff(base: .milliseconds(50), max: .seconds(5), jitter: .full)
        }
    }

    /// The cancellation reasons DynamoDB gives for capacity.
    static let throttlingReasons: Set<String> = ["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"]

    /// Counts every reason but `None`, by reason; throttling also as a throttle of the operation.
    static func count(_ reasons: [String]) {
        for reason in reasons where reason != "None" {
            Counter(label: "dynamodb_transaction_cancellations_total", dimensions: [("reason", reason)]).increment()
            if throttlingReasons.contains(reason) {
                Counter(label: "dynamodb_throttles_total", dimensions: [("operation", "TransactWriteItems")]).increment()
            }
        }
    }
}
