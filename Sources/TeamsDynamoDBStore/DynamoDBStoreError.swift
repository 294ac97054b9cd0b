import AWSDynamoDB

/// Why a DynamoDB store could not start. `description` is one line, meant to be
/// printed as is by a server that refuses to start.
public enum DynamoDBStoreError: Error, Sendable, CustomStringConvertible {
    /// Region, credentials or endpoint are missing or wrong in the environment.
    case configuration(DynamoDBConfigurationError)
    /// `--no-create-table` was given and the table is not there.
    case tableMissing(table: String)
    /// Creating, describing or waiting for the table failed.
    case cannotPrepareTable(table: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let error):
            "cannot use DynamoDB: \(error)"
        case .tableMissing(let table):
            "DynamoDB table \(table) does not exist: create it (hash key id of type S, TTL on expiresAt) or start without --no-create-table"
        case .cannotPrepareTable(let table, let reason):
            "cannot prepare DynamoDB table \(table): \(reason)"
        }
    }
}
