// The DynamoDB TeamStore (issue #4).
