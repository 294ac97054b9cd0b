import AWSDynamoDB

/// The port through which the fleet's sequencer reads what was written to the table:
/// DynamoDB Streams in production (`DynamoDBStreamFeed`), a fake with several shards
/// in tests.
///
/// Contract, as DynamoDB Streams keeps it:
/// - the records of one item come in the order it was written, within a shard and
///   from a shard to its children (a shard splits by closing and naming two children);
/// - records of different items, in different shards, have no order between them;
/// - `records(of:after:)` returns a shard's records after a checkpoint (the sequence
///   number of the last record taken; `nil` for the oldest kept), in order, and says
///   when a closed shard has been read to its end.
public protocol ChangeFeed: Sendable {
    /// The stream's shards, open and closed, parents before or after their children,
    /// and the stream they are in: a new stream (after it was turned off and on, or the
    /// table was restored) starts over.
    func shards() async throws -> (stream: String, shards: [Shard])

    /// Up to about a thousand records of `shard` after `checkpoint`.
    func records(of shard: Shard, after checkpoint: String?) async throws -> ChangeBatch
}

/// What one read of a shard returned.
public struct ChangeBatch: Sendable {
    public var records: [StreamRecord]
    /// The shard is closed and nothing of it is left to read.
    public var ended: Bool
    /// The checkpoint was older than the stream keeps (24 hours): reading went on from
    /// the oldest record kept, and the records in between are lost.
    public var trimmed: Bool

    public init(records: [StreamRecord], ended: Bool, trimmed: Bool = false) {
        self.records = records
        self.ended = ended
        self.trimmed = trimmed
    }
}
