import AWSDynamoDB

/// The table's DynamoDB stream as a `ChangeFeed`: `DescribeTable` for the stream (again
/// whenever it is gone: a restored table has a new one), `DescribeStream` for its
/// shards, `GetShardIterator` and `GetRecords` for their records.
///
/// The iterator each read returns is kept for the next read from the same place, so a
/// shard that is read in turn costs one `GetRecords` per read. An expired iterator (15
/// minutes) is replaced from the checkpoint.
public actor DynamoDBStreamFeed: ChangeFeed {
    private let client: DynamoDBClient
    private let table: String
    private var streamARN: String?
    /// Per shard: where its kept iterator reads from, and the iterator.
    private var iterators: [String: (checkpoint: String?, iterator: String)] = [:]

    public init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    public func shards() async throws -> (stream: String, shards: [Shard]) {
        if let streamARN {
            do {
                return (streamARN, try await shards(of: streamARN))
            } catch DynamoDBError.resourceNotFound {
                self.streamARN = nil
            }
        }
        guard let stream = try await client.describeTable(table).latestStreamARN else {
            throw DynamoDBError.resourceNotFound("table \(table) has no stream")
        }
        streamARN = stream
        iterators = [:]
        return (stream, try await shards(of: stream))
    }

    private func shards(of stream: String) async throws -> [Shard] {
        let shards = try await client.describeStream(stream)
        let live = Set(shards.map(\.shardID))
        iterators = iterators.filter { live.contains($0.key) }
        return shards
    }

    public func records(of shard: Shard, after checkpoint: String?) async throws -> ChangeBatch {
        var trimmed = false
        var page: RecordsPage
        do {
            page = try await client.getRecords(iterator: try await iterator(shard.shardID, after: checkpoint))
        } catch DynamoDBError.service(let type, _, _) where type == "ExpiredIteratorException" {
            iterators[shard.shardID] = nil
            page = try await client.getRecords(iterator: try await iterator(shard.shardID, after: checkpoint))
        } catch DynamoDBError.service(let type, _, _) where type == "TrimmedDataAccessException" {
            trimmed = true
            page = try await client.getRecords(iterator: try await iterator(shard.shardID, after: nil))
        }
        let position = page.records.last?.sequenceNumber ?? (trimmed ? nil : checkpoint)
        iterators[shard.shardID] = page.nextShardIterator.map { (position, $0) }
        return ChangeBatch(records: page.records, ended: page.nextShardIterator == nil, trimmed: trimmed)
    }

    private func iterator(_ shardID: String, after checkpoint: String?) async throws -> String {
        if let kept = iterators[shardID], kept.checkpoint == checkpoint { return kept.iterator }
        iterators[shardID] = nil
        guard let streamARN else { throw DynamoDBError.resourceNotFound("table \(table) has no stream") }
        return try await client.shardIterator(
            streamARN: streamARN, shardID: shardID, from: checkpoint.map { .after(sequenceNumber: $0) } ?? .trimHorizon)
    }
}
