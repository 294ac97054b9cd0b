/// `Query`: the items with one partition key value, optionally narrowed by sort key
/// (`keyConditionExpression`) and then filtered (`filterExpression`).
public struct QueryInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var indexName: String?
    public var keyConditionExpression: String
    public var filterExpression: String?
    public var projectionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?
    public var expressionAttributeValues: ExpressionAttributeValues?
    /// The `lastEvaluatedKey` of the previous page.
    public var exclusiveStartKey: [String: AttributeValue]?
    /// Items to *evaluate* per page, before the filter.
    public var limit: Int?
    public var consistentRead: Bool?
    /// `false` returns sort keys in descending order.
    public var scanIndexForward: Bool?

    public init(
        tableName: String,
        indexName: String? = nil,
        keyConditionExpression: String,
        filterExpression: String? = nil,
        projectionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil,
        expressionAttributeValues: ExpressionAttributeValues? = nil,
        exclusiveStartKey: [String: AttributeValue]? = nil,
        limit: Int? = nil,
        consistentRead: Bool? = nil,
        scanIndexForward: Bool? = nil
    ) {
        self.tableName = tableName
        self.indexName = indexName
        self.keyConditionExpression = keyConditionExpression
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
        self.expressionAttributeValues = expressionAttributeValues.nilIfEmpty
        self.exclusiveStartKey = exclusiveStartKey
        self.limit = limit
        self.consistentRead = consistentRead
        self.scanIndexForward = scanIndexForward
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", indexName = "IndexName", keyConditionExpression = "KeyConditionExpression"
        case filterExpression = "FilterExpression", projectionExpression = "ProjectionExpression"
        case expressionAttributeNames = "ExpressionAttributeNames", expressionAttributeValues = "ExpressionAttributeValues"
        case exclusiveStartKey = "ExclusiveStartKey", limit = "Limit", consistentRead = "ConsistentRead"
        case scanIndexForward = "ScanIndexForward"
    }
}

/// `Scan`: every item of a table or index, one page at a time, optionally filtered.
public struct ScanInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var indexName: String?
    public var filterExpression: String?
    public var projectionExpression: String?
    public var expressionAttributeNames: ExpressionAttributeNames?
    public var expressionAttributeValues: ExpressionAttributeValues?
    /// The `lastEvaluatedKey` of the previous page.
    public var exclusiveStartKey: [String: AttributeValue]?
    /// Items to *evaluate* per page, before the filter: a page may hold fewer, even none,
    /// and still have a `lastEvaluatedKey`.
    public var limit: Int?
    public var consistentRead: Bool?

    public init(
        tableName: String,
        indexName: String? = nil,
        filterExpression: String? = nil,
        projectionExpression: String? = nil,
        expressionAttributeNames: ExpressionAttributeNames? = nil,
        expressionAttributeValues: ExpressionAttributeValues? = nil,
        exclusiveStartKey: [String: AttributeValue]? = nil,
        limit: Int? = nil,
        consistentRead: Bool? = nil
    ) {
        self.tableName = tableName
        self.indexName = indexName
        self.filterExpression = filterExpression
        self.projectionExpression = projectionExpression
        self.expressionAttributeNames = expressionAttributeNames.nilIfEmpty
        self.expressionAttributeValues = expressionAttributeValues.nilIfEmpty
        self.exclusiveStartKey = exclusiveStartKey
        self.limit = limit
        self.consistentRead = consistentRead
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", indexName = "IndexName", filterExpression = "FilterExpression"
        case projectionExpression = "ProjectionExpression", expressionAttributeNames = "ExpressionAttributeNames"
        case expressionAttributeValues = "ExpressionAttributeValues", exclusiveStartKey = "ExclusiveStartKey"
        case limit = "Limit", consistentRead = "ConsistentRead"
    }
}

/// One page of `Query` or `Scan` results.
public struct ItemPage: Sendable, Hashable, Decodable {
    public var items: [[String: AttributeValue]]
    /// Pass as `exclusiveStartKey` to get the next page; `nil` on the last page.
    public var lastEvaluatedKey: [String: AttributeValue]?
    /// Items in this page (after the filter).
    public var count: Int
    /// Items evaluated for this page (before the filter).
    public var scannedCount: Int

    public init(
        items: [[String: AttributeValue]],
        lastEvaluatedKey: [String: AttributeValue]? = nil,
        count: Int? = nil,
        scannedCount: Int? = nil
    ) {
        self.items = items
        self.lastEvaluatedKey = lastEvaluatedKey
        self.count = count ?? items.count
        self.scannedCount = scannedCount ?? self.count
    }

    private enum CodingKeys: String, CodingKey {
        case items = "Items", lastEvaluatedKey = "LastEvaluatedKey", count = "Count", scannedCount = "ScannedCount"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let items = try container.decodeIfPresent([[String: AttributeValue]].self, forKey: .items) ?? []
        let lastKey = try container.decodeIfPresent([String: AttributeValue].self, forKey: .lastEvaluatedKey)
        self.init(
            items: items,
            lastEvaluatedKey: lastKey.nilIfEmpty,
            count: try container.decodeIfPresent(Int.self, forKey: .count),
            scannedCount: try container.decodeIfPresent(Int.self, forKey: .scannedCount)
        )
    }
}
