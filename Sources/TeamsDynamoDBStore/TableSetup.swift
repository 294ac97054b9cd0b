import AWSDynamoDB
import Logging

/// Makes sure the store's tables are there, the team table with its stream, and
/// `ACTIVE` before the server starts.
enum TableSetup {
    /// Looks the tables up first. With `create`, a missing team table is created (hash
    /// key `id` (S), on demand, the stream with new and old images) and expiry by
    /// `expiresAt` turned on, an existing one without a stream (an earlier version's)
    /// gets it with `UpdateTable`, and a missing index table is created (hash key
    /// `ixList` (S), range key `ixOrder` (S), on demand). Without `create` (for
    /// accounts that may not change tables) a missing table or stream is an error
    /// naming what to add. Either way waits for `ACTIVE`.
    static func prepare(
        client: DynamoDBClient, table: String, indexTable: String, create: Bool, logger: Logger
    ) async throws(DynamoDBStoreError) {
        try await prepareTeamTable(client: client, table: table, indexTable: indexTable, create: create, logger: logger)
        do {
            do {
                _ = try await client.describeTable(indexTable)
            } catch DynamoDBError.resourceNotFound where create {
                do {
                    try await client.createTable(CreateTableInput(tableName: indexTable, hashKey: NameIndex.hashKey, rangeKey: NameIndex.rangeKey))
                    logger.info("created DynamoDB table for the names index", metadata: ["table": "\(indexTable)"])
                } catch DynamoDBError.resourceInUse {
                    // Another server created it a moment ago.
                }
            }
            try await client.waitUntilTableActive(indexTable, pollInterval: .milliseconds(500))
        } catch DynamoDBError.resourceNotFound {
            throw .tableIncomplete(table: table, missing: [indexTableDescription(indexTable)])
        } catch {
            throw .cannotPrepareTable(table: indexTable, reason: "\(error)")
        }
    }

    private static func indexTableDescription(_ indexTable: String) -> String {
        "its index table \(indexTable) (hash key \(ItemLayout.indexList) S, range key \(ItemLayout.indexOrder) S)"
    }

    private static func prepareTeamTable(
        client: DynamoDBClient, table: String, indexTable: String, create: Bool, logger: Logger
    ) async throws(DynamoDBStoreError) {
        do {
            var description: TableDescription
            do {
                description = try await client.describeTable(table)
            } catch DynamoDBError.resourceNotFound where create {
                do {
                    try await client.createTable(CreateTableInput(
                        tableName: table, hashKey: KeyAttribute(ItemLayout.id, .string), stream: .newAndOldImages))
                    logger.info("created DynamoDB table", metadata: ["table": "\(table)"])
                    try await client.waitUntilTableActive(table, pollInterval: .milliseconds(500))
                    await enableExpiry(client: client, table: table, logger: logger)
                } catch DynamoDBError.resourceInUse {
                    // Another server created it a moment ago: what we wanted.
                }
                description = try await client.waitUntilTableActive(table, pollInterval: .milliseconds(500))
            }
            var missing = missingParts(of: description)
            if !create {
                if (try? await client.describeTable(indexTable)) == nil { missing.append(indexTableDescription(indexTable)) }
                if !missing.isEmpty { throw DynamoDBStoreError.tableIncomplete(table: table, missing: missing) }
            }
            description = try await client.waitUntilTableActive(table, pollInterval: .milliseconds(500))
            if description.streamViewType == nil {
                try await update(client, table, UpdateTableInput(tableName: table, enableStream: .newAndOldImages), logger: logger, adding: "its stream")
            } else if description.streamViewType != .newAndOldImages {
                throw DynamoDBStoreError.tableIncomplete(table: table, missing: missing)
            }
        } catch let error as DynamoDBStoreError {
            throw error
        } catch DynamoDBError.resourceNotFound {
            throw .tableMissing(table: table)
        } catch {
            throw .cannotPrepareTable(table: table, reason: "\(error)")
        }
    }

    /// What the store needs and the table lacks, in words for the operator.
    static func missingParts(of table: TableDescription) -> [String] {
        var missing: [String] = []
        if table.streamViewType != .newAndOldImages {
            missing.append(table.streamViewType == nil
                ? "a stream with NEW_AND_OLD_IMAGES"
                : "a stream with NEW_AND_OLD_IMAGES (it has \(table.streamViewType!.rawValue); turn it off and on again)")
        }
        return missing
    }

    /// One `UpdateTable`, then waiting for `ACTIVE`.
    private static func update(_ client: DynamoDBClient, _ table: String, _ input: UpdateTableInput, logger: Logger, adding part: String) async throws {
        logger.info("adding \(part) to the DynamoDB table", metadata: ["table": "\(table)"])
        do {
            try await client.updateTable(input)
        } catch DynamoDBError.resourceInUse {
            // Another server is adding it: wait for it as well.
        } catch DynamoDBError.validation(let message) where message.contains("already") {
            // Another server added it a moment ago.
        }
        try await client.waitUntilTableActive(table, timeout: .seconds(600), pollInterval: .seconds(1))
        logger.info("added \(part) to the DynamoDB table", metadata: ["table": "\(table)"])
    }

    /// TTL only cleans up: records past their window are ignored anyway, so failing
    /// here (no permission, an emulator without TTL) is a warning, not a reason to stop.
    private static func enableExpiry(client: DynamoDBClient, table: String, logger: Logger) async {
        do {
            try await client.updateTimeToLive(tableName: table, attributeName: ItemLayout.expiresAt)
        } catch {
            logger.warning(
                "could not enable TTL on expiresAt; expired idempotency records and tombstones will stay (they are ignored)",
                metadata: ["table": "\(table)", "error": "\(error)"])
        }
    }
}
