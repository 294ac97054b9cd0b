/// Expression parts shared by the item operations: `#name` placeholders and `:value`
/// placeholders. Empty dictionaries are not sent (DynamoDB rejects them).
public typealias ExpressionAttributeNames = [String: String]
public typealias ExpressionAttributeValues = [String: AttributeValue]

/// `GetItem`: one item by its full primary key.
public struct GetItemInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var key: [String: AttributeValue]
    /// `true` reads the latest committed write; `false` (DynamoDB's default) may be stale.
    public var consistentRead: Bool
    public var projectionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?

    public init(
        tableName: String,
        key: [String: AttributeValue],
        consistentRead: Bool = false,
        projectionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.consistentRead = consistentRead
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", consistentRead = "ConsistentRead"
        case projectionExpression = "ProjectionExpression", expressionAttributeNames = "ExpressionAttributeNames"
    }
}

/// `PutItem`: creates or replaces an item, optionally only if `conditionExpression` holds
/// (otherwise `DynamoDBError.conditionalCheckFailed`). Also a `TransactWriteItem.put`.
public struct PutItemInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var item: [String: AttributeValue]
    public var conditionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?
    public var expressionAttributeValues: ExpressionAttributeValues?

    public init(
        tableName: String,
        item: [String: AttributeValue],
        conditionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil,
        expressionAttributeValues: ExpressionAttributeValues? = nil
    ) {
        self.tableName = tableName
        self.item = item
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
        self.expressionAttributeValues = expressionAttributeValues.nilIfEmpty
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", item = "Item", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
    }
}

/// What `UpdateItem` returns.
public enum ReturnValue: String, Sendable, Hashable, Encodable {
    case none = "NONE"
    case allOld = "ALL_OLD"
    case updatedOld = "UPDATED_OLD"
    case allNew = "ALL_NEW"
    case updatedNew = "UPDATED_NEW"
}

/// `UpdateItem`: applies `updateExpression` to one item (creating it if absent),
/// optionally only if `conditionExpression` holds. Also a `TransactWriteItem.update`,
/// where `returnValues` is not sent.
public struct UpdateItemInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var key: [String: AttributeValue]
    public var updateExpression: String
    public var conditionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?
    public var expressionAttributeValues: ExpressionAttributeValues?
    public var returnValues: ReturnValue?

    public init(
        tableName: String,
        key: [String: AttributeValue],
        updateExpression: String,
        conditionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil,
        expressionAttributeValues: ExpressionAttributeValues? = nil,
        returnValues: ReturnValue? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.updateExpression = updateExpression
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
        self.expressionAttributeValues = expressionAttributeValues.nilIfEmpty
        self.returnValues = returnValues
    }

    enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", updateExpression = "UpdateExpression"
        case conditionExpression = "ConditionExpression", expressionAttributeNames = "ExpressionAttributeNames"
        case expressionAttributeValues = "ExpressionAttributeValues", returnValues = "ReturnValues"
    }
}

/// `DeleteItem`: removes one item (a no-op if absent), optionally only if
/// `conditionExpression` holds. Also a `TransactWriteItem.delete`.
public struct DeleteItemInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var key: [String: AttributeValue]
    public var conditionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?
    public var expressionAttributeValues: ExpressionAttributeValues?

    public init(
        tableName: String,
        key: [String: AttributeValue],
        conditionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil,
        expressionAttributeValues: ExpressionAttributeValues? = nil
    ) {
        self.tableName = tableName
        self.key = key
        self.conditionExpression = conditionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
        self.expressionAttributeValues = expressionAttributeValues.nilIfEmpty
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", key = "Key", conditionExpression = "ConditionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
    }
}

extension Optional where Wrapped: Collection {
    /// DynamoDB rejects empty expression maps, so an empty one is not sent at all.
    var nilIfEmpty: Wrapped? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
