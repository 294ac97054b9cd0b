import AWSDynamoDB

/// Why a DynamoDB store could not start. `description` is one line, meant to be
/// printed as is by a server that refuses to start.
public enum DynamoDBStoreError: Error, Sendable, CustomStringConvertible {
    /// Region, credentials or endpoint are missing or wrong in the environment.
    case configuration(DynamoDBConfigurationError)
    /// `--no-create-table` was given and the table is not there.
    case tableMissing(table: String)
    /// `--no-create-table` was given and the table lacks what the store needs (the
    /// stream, the index table), each named.
    case tableIncomplete(table: String, missing: [String])
    /// Creating, describing or waiting for the table failed.
    case cannotPrepareTable(table: String, reason: String)

    public var description: String {
        switch self {
        case .configuration(let error):
            "cannot use DynamoDB: \(error)"
        case .tableMissing(let table):
            "DynamoDB table \(table) does not exist: create it (hash key id of type S, a stream with NEW_AND_OLD_IMAGES, TTL on expiresAt; and its index table \(table)-names with hash key ixList S and range key ixOrder S) or start without --no-create-table"
        case .tableIncomplete(let table, let missing):
            "DynamoDB table \(table) lacks \(missing.joined(separator: " and ")): add it, or start once without --no-create-table"
        case .cannotPrepareTable(let table, let reason):
            "cannot prepare DynamoDB table \(table): \(reason)"
        }
    }
}
