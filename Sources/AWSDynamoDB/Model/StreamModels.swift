/// A table's stream as `DescribeStream` tells it: its shards, open and closed.
public struct StreamDescription: Sendable, Hashable, Decodable {
    public var streamARN: String
    /// `ENABLING`, `ENABLED`, `DISABLING` or `DISABLED`.
    public var streamStatus: String
    public var shards: [Shard]
    /// More shards follow: ask again with `exclusiveStartShardID` set to this.
    public var lastEvaluatedShardID: String?

    private enum CodingKeys: String, CodingKey {
        case streamARN = "StreamArn", streamStatus = "StreamStatus", shards = "Shards"
        case lastEvaluatedShardID = "LastEvaluatedShardId"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        streamARN = try container.decode(String.self, forKey: .streamARN)
        streamStatus = try container.decodeIfPresent(String.self, forKey: .streamStatus) ?? "ENABLED"
        shards = try container.decodeIfPresent([Shard].self, forKey: .shards) ?? []
        lastEvaluatedShardID = try container.decodeIfPresent(String.self, forKey: .lastEvaluatedShardID)
    }
}

/// One shard of a stream. A shard that split has a parent; its records come after all
/// of the parent's for the same item.
public struct Shard: Sendable, Hashable, Decodable {
    public var shardID: String
    public var parentShardID: String?
    /// Set once the shard is closed: no record will be added after it.
    public var endingSequenceNumber: String?

    public init(shardID: String, parentShardID: String? = nil, endingSequenceNumber: String? = nil) {
        self.shardID = shardID
        self.parentShardID = parentShardID
        self.endingSequenceNumber = endingSequenceNumber
    }

    private struct Range: Decodable { var EndingSequenceNumber: String? }

    private enum CodingKeys: String, CodingKey {
        case shardID = "ShardId", parentShardID = "ParentShardId", range = "SequenceNumberRange"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shardID = try container.decode(String.self, forKey: .shardID)
        parentShardID = try container.decodeIfPresent(String.self, forKey: .parentShardID)
        endingSequenceNumber = try container.decodeIfPresent(Range.self, forKey: .range)?.EndingSequenceNumber
    }
}

/// Where `GetShardIterator` starts reading a shard.
public enum ShardIteratorStart: Sendable, Hashable {
    /// The oldest record still kept (24 hours back at most).
    case trimHorizon
    /// Only records written from now on.
    case latest
    /// Just after the record with this sequence number.
    case after(sequenceNumber: String)
}

/// One change to one item, as the stream carries it.
public struct StreamRecord: Sendable, Hashable, Decodable {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    public var eventName: String
    public var keys: [String: AttributeValue]
    public var newImage: [String: AttributeValue]?
    public var oldImage: [String: AttributeValue]?
    /// Unique in the stream and growing within a shard.
    public var sequenceNumber: String

    public init(
        eventName: String, keys: [String: AttributeValue], newImage: [String: AttributeValue]?,
        oldImage: [String: AttributeValue]?, sequenceNumber: String
    ) {
        self.eventName = eventName
        self.keys = keys
        self.newImage = newImage
        self.oldImage = oldImage
        self.sequenceNumber = sequenceNumber
    }

    private struct Change: Decodable {
        var Keys: [String: AttributeValue]?
        var NewImage: [String: AttributeValue]?
        var OldImage: [String: AttributeValue]?
        var SequenceNumber: String
    }

    private enum CodingKeys: String, CodingKey { case eventName, dynamodb }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        eventName = try container.decode(String.self, forKey: .eventName)
        let change = try container.decode(Change.self, forKey: .dynamodb)
        keys = change.Keys ?? [:]
        newImage = change.NewImage
        oldImage = change.OldImage
        sequenceNumber = change.SequenceNumber
    }
}

/// What one `GetRecords` returns.
public struct RecordsPage: Sendable, Hashable, Decodable {
    public var records: [StreamRecord]
    /// Where to read on; `nil` once a closed shard has been read to its end.
    public var nextShardIterator: String?

    public init(records: [StreamRecord], nextShardIterator: String?) {
        self.records = records
        self.nextShardIterator = nextShardIterator
    }

    private enum CodingKeys: String, CodingKey { case records = "Records", nextShardIterator = "NextShardIterator" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decodeIfPresent([StreamRecord].self, forKey: .records) ?? []
        nextShardIterator = try container.decodeIfPresent(String.self, forKey: .nextShardIterator)
    }
}
