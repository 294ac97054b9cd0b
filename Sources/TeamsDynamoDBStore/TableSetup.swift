import AWSDynamoDB
import Logging

/// Makes sure the store's table is there and `ACTIVE` before the server starts.
enum TableSetup {
    /// Looks the table up first; with `create`, a missing table is created (hash key
    /// `id` (S), on demand) and expiry of idempotency records by `expiresAt` turned
    /// on. An existing table is used as it is, so a restart needs no `CreateTable`
    /// permission and says nothing. Without `create` (for accounts that may not
    /// create tables) a missing table is an error. Either way waits for `ACTIVE`.
    static func prepare(
        client: DynamoDBClient, table: String, create: Bool, logger: Logger
    ) async throws(DynamoDBStoreError) {
        var created = false
        do {
            do {
                _ = try await client.describeTable(table)
            } catch DynamoDBError.resourceNotFound where create {
                do {
                    try await client.createTable(CreateTableInput(tableName: table, hashKey: KeyAttribute(ItemLayout.id, .string)))
                    created = true
                    logger.info("created DynamoDB table", metadata: ["table": "\(table)"])
                } catch DynamoDBError.resourceInUse {
                    // Another server created it a moment ago: what we wanted.
                }
            }
            try await client.waitUntilTableActive(table, pollInterval: .milliseconds(500))
        } catch DynamoDBError.resourceNotFound {
            throw .tableMissing(table: table)
        } catch {
            throw .cannotPrepareTable(table: table, reason: "\(error)")
        }
        if created { await enableExpiry(client: client, table: table, logger: logger) }
    }

    /// TTL only cleans up: records past their window are ignored anyway, so failing
    /// here (no permission, an emulator without TTL) is a warning, not a reason to stop.
    private static func enableExpiry(client: DynamoDBClient, table: String, logger: Logger) async {
        do {
            try await client.updateTimeToLive(tableName: table, attributeName: ItemLayout.expiresAt)
        } catch {
            logger.warning(
                "could not enable TTL on expiresAt; expired idempotency records will stay (they are ignored after 24 h)",
                metadata: ["table": "\(table)", "error": "\(error)"])
        }
    }
}
