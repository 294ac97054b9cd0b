import AWSDynamoDB
import Logging

/// Makes sure the store's table is there and `ACTIVE` before the server starts.
enum TableSetup {
    /// With `create`, creates the table if missing (hash key `id` (S), on demand) and
    /// turns on expiry of idempotency records by `expiresAt`; an existing table is
    /// fine (a restart says nothing). Without `create` (for accounts that may not
    /// create tables) only checks that the table exists. Either way waits for `ACTIVE`.
    static func prepare(
        client: DynamoDBClient, table: String, create: Bool, logger: Logger
    ) async throws(DynamoDBStoreError) {
        do {
            if create {
                do {
                    try await client.createTable(CreateTableInput(tableName: table, hashKey: KeyAttribute(ItemLayout.id, .string)))
                    logger.info("created DynamoDB table", metadata: ["table": "\(table)"])
                } catch DynamoDBError.resourceInUse {
                    // It exists (or is being created by another server): what we wanted.
                    logger.debug("DynamoDB table exists", metadata: ["table": "\(table)"])
                }
            }
            try await client.waitUntilTableActive(table, pollInterval: .milliseconds(500))
        } catch DynamoDBError.resourceNotFound {
            throw .tableMissing(table: table)
        } catch {
            throw .cannotPrepareTable(table: table, reason: "\(error)")
        }
        if create { await enableExpiry(client: client, table: table, logger: logger) }
    }

    /// TTL only cleans up: records past their window are ignored anyway, so failing
    /// here (no permission, an emulator without TTL) is a warning, not a reason to stop.
    private static func enableExpiry(client: DynamoDBClient, table: String, logger: Logger) async {
        do {
            let status = try await client.timeToLiveStatus(table: table)
            guard status != "ENABLED", status != "ENABLING" else { return }
            try await client.updateTimeToLive(tableName: table, attributeName: ItemLayout.expiresAt)
        } catch {
            logger.warning(
                "could not enable TTL on expiresAt; old idempotency records will stay (they are ignored after 24 h)",
                metadata: ["table": "\(table)", "error": "\(error)"])
        }
    }
}
