/// One action of `TransactWriteItems`. All actions succeed together or none is applied;
/// if a condition fails the call throws `DynamoDBError.transactionCanceled(reasons:)`
/// with one code per action, in order.
public enum TransactWriteItem: Sendable, Hashable, Encodable {
    case put(PutItemInput)
    case update(UpdateItemInput)
    case delete(DeleteItemInput)
    /// Writes nothing; cancels the transaction unless the condition holds.
    case conditionCheck(ConditionCheck)

    public struct ConditionCheck: Sendable, Hashable, Encodable {
        public var tableName: String
        public var key: [String: AttributeValue]
        public var conditionExpression: String
        public var expressionAttributeNames: ExpressionAttributeNames?
        public var expressionAttributeValues: ExpressionAttributeValues?

        public init(
            tableName: String,
            key: [String: AttributeValue],
            conditionExpression: String,
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

    private enum CodingKeys: String, CodingKey {
        case put = "Put", update = "Update", delete = "Delete", conditionCheck = "ConditionCheck"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let put):
            try container.encode(put, forKey: .put)
        case .update(let update):
            // A transaction's Update has no ReturnValues.
            var nested = container.nestedContainer(keyedBy: UpdateItemInput.CodingKeys.self, forKey: .update)
            try nested.encode(update.tableName, forKey: .tableName)
            try nested.encode(update.key, forKey: .key)
            try nested.encode(update.updateExpression, forKey: .updateExpression)
            try nested.encodeIfPresent(update.conditionExpression, forKey: .conditionExpression)
            try nested.encodeIfPresent(update.expressionAttributeNames, forKey: .expressionAttributeNames)
            try nested.encodeIfPresent(update.expressionAttributeValues, forKey: .expressionAttributeValues)
        case .delete(let delete):
            try container.encode(delete, forKey: .delete)
        case .conditionCheck(let check):
            try container.encode(check, forKey: .conditionCheck)
        }
    }
}
