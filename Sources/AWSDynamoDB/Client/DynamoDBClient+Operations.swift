import Foundation

/// The typed operations. Each is one `send(operation:input:as:)` (retried per the
/// configuration's `RetryStrategy`) and throws `DynamoDBError`.
extension DynamoDBClient {
    // MARK: Tables

    /// Creates an on-demand table; it starts `CREATING` (see `waitUntilTableActive`).
    ///
    /// - Throws: `.resourceInUse` if the table already exists.
    @discardableResult
    public func createTable(_ input: CreateTableInput) async throws -> TableDescription {
        struct Output: Decodable { var TableDescription: TableDescription }
        return try await send(operation: "CreateTable", input: input, as: Output.self).TableDescription
    }

    /// Turns the stream on; the table is `UPDATING` meanwhile.
    ///
    /// - Throws: `.resourceInUse` while another update of the table is under way.
    @discardableResult
    public func updateTable(_ input: UpdateTableInput) async throws -> TableDescription {
        struct Output: Decodable { var TableDescription: TableDescription }
        return try await send(operation: "UpdateTable", input: input, as: Output.self).TableDescription
    }

    /// - Throws: `.resourceNotFound` if there is no such table.
    public func describeTable(_ tableName: String) async throws -> TableDescription {
        struct Output: Decodable { var Table: TableDescription }
        return try await send(operation: "DescribeTable", input: ["TableName": tableName], as: Output.self).Table
    }

    /// Polls `DescribeTable` until the table and its indexes are `ACTIVE`.
    ///
    /// - Throws: `.unavailable` if that takes longer than `timeout`; whatever
    ///   `describeTable` throws (`.resourceNotFound` for a missing table).
    @discardableResult
    public func waitUntilTableActive(
        _ tableName: String,
        timeout: Duration = .seconds(120),
        pollInterval: Duration = .seconds(1)
    ) async throws -> TableDescription {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let table = try await describeTable(tableName)
            if table.isActive { return table }
            guard clock.now.advanced(by: pollInterval) < deadline else {
                throw DynamoDBError.unavailable("table \(tableName) is still \(table.tableStatus) after \(timeout)")
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Turns expiry by the epoch-seconds number attribute `attributeName` on or off.
    public func updateTimeToLive(tableName: String, attributeName: String, enabled: Bool = true) async throws {
        struct Specification: Encodable {
            var Enabled: Bool
            var AttributeName: String
        }
        struct Input: Encodable {
            var TableName: String
            var TimeToLiveSpecification: Specification
        }
        struct Output: Decodable {}
        let input = Input(TableName: tableName, TimeToLiveSpecification: .init(Enabled: enabled, AttributeName: attributeName))
        _ = try await send(operation: "UpdateTimeToLive", input: input, as: Output.self)
    }

    // MARK: Items

    /// - Returns: the item, or `nil` if there is none with that key.
    public func getItem(_ input: GetItemInput) async throws -> [String: AttributeValue]? {
        struct Output: Decodable { var Item: [String: AttributeValue]? }
        return try await send(operation: "GetItem", input: input, as: Output.self).Item
    }

    /// - Throws: `.conditionalCheckFailed` if `conditionExpression` is false.
    public func putItem(_ input: PutItemInput) async throws {
        struct Output: Decodable {}
        _ = try await send(operation: "PutItem", input: input, as: Output.self)
    }

    /// - Returns: the attributes `returnValues` asks for, `nil` when it asks for none.
    /// - Throws: `.conditionalCheckFailed` if `conditionExpression` is false.
    @discardableResult
    public func updateItem(_ input: UpdateItemInput) async throws -> [String: AttributeValue]? {
        struct Output: Decodable { var Attributes: [String: AttributeValue]? }
        return try await send(operation: "UpdateItem", input: input, as: Output.self).Attributes
    }

    /// - Throws: `.conditionalCheckFailed` if `conditionExpression` is false (for example
    ///   `attribute_exists(id)` on a missing item).
    public func deleteItem(_ input: DeleteItemInput) async throws {
        struct Output: Decodable {}
        _ = try await send(operation: "DeleteItem", input: input, as: Output.self)
    }

    // MARK: Reading many

    /// One page; continue with `exclusiveStartKey = page.lastEvaluatedKey` while it is not `nil`.
    public func query(_ input: QueryInput) async throws -> ItemPage {
        try await send(operation: "Query", input: input, as: ItemPage.self)
    }

    /// One page; continue with `exclusiveStartKey = page.lastEvaluatedKey` while it is not `nil`.
    public func scan(_ input: ScanInput) async throws -> ItemPage {
        try await send(operation: "Scan", input: input, as: ItemPage.self)
    }

    // MARK: Transactions

    /// Applies up to 100 writes atomically.
    ///
    /// - Parameter clientRequestToken: makes the call idempotent for 10 minutes, so a
    ///   retry after a timeout does not apply it twice.
    /// - Throws: `.transactionCanceled(reasons:)` when a condition fails or the items
    ///   conflict with another transaction.
    public func transactWriteItems(_ items: [TransactWriteItem], clientRequestToken: String? = nil) async throws {
        struct Input: Encodable {
            var TransactItems: [TransactWriteItem]
            var ClientRequestToken: String?
        }
        struct Output: Decodable {}
        _ = try await send(
            operation: "TransactWriteItems",
            input: Input(TransactItems: items, ClientRequestToken: clientRequestToken),
            as: Output.self
        )
    }
}
