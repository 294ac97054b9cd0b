/// The DynamoDB Streams API: what a table's writes were, shard by shard. Sent to
/// `configuration.streamsEndpoint` and throwing `DynamoDBError` like the rest; an
/// iterator that is too old fails with `.service(type: "ExpiredIteratorException", …)`
/// and a position the stream no longer keeps with `TrimmedDataAccessException`.
extension DynamoDBClient {
    /// All shards of the stream (following `LastEvaluatedShardId`).
    public func describeStream(_ streamARN: String) async throws -> [Shard] {
        struct Input: Encodable {
            var StreamArn: String
            var ExclusiveStartShardId: String?
        }
        struct Output: Decodable { var StreamDescription: StreamDescription }
        var shards: [Shard] = []
        var start: String?
        repeat {
            let page = try await send(
                operation: "DescribeStream", input: Input(StreamArn: streamARN, ExclusiveStartShardId: start), as: Output.self,
                api: .streams
            ).StreamDescription
            shards += page.shards
            start = page.lastEvaluatedShardID
        } while start != nil
        return shards
    }

    /// An iterator for `getRecords`, valid for 15 minutes.
    public func shardIterator(streamARN: String, shardID: String, from start: ShardIteratorStart) async throws -> String {
        struct Input: Encodable {
            var StreamArn: String
            var ShardId: String
            var ShardIteratorType: String
            var SequenceNumber: String?
        }
        struct Output: Decodable { var ShardIterator: String }
        var input = Input(StreamArn: streamARN, ShardId: shardID, ShardIteratorType: "TRIM_HORIZON")
        switch start {
        case .trimHorizon: break
        case .latest: input.ShardIteratorType = "LATEST"
        case .after(let sequenceNumber):
            input.ShardIteratorType = "AFTER_SEQUENCE_NUMBER"
            input.SequenceNumber = sequenceNumber
        }
        return try await send(operation: "GetShardIterator", input: input, as: Output.self, api: .streams).ShardIterator
    }

    /// Up to `limit` (at most 1,000) records from `iterator`, and where to go on.
    public func getRecords(iterator: String, limit: Int = 1000) async throws -> RecordsPage {
        struct Input: Encodable {
            var ShardIterator: String
            var Limit: Int
        }
        return try await send(
            operation: "GetRecords", input: Input(ShardIterator: iterator, Limit: max(1, min(limit, 1000))), as: RecordsPage.self,
            api: .streams)
    }
}
