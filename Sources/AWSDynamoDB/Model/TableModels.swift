/// The type of a key attribute: string, number or binary.
public enum ScalarAttributeType: String, Sendable, Hashable, Codable {
    case string = "S"
    case number = "N"
    case binary = "B"
}

/// A key attribute of a table or index: its name and type.
public struct KeyAttribute: Sendable, Hashable {
    public var name: String
    public var type: ScalarAttributeType

    public init(_ name: String, _ type: ScalarAttributeType) {
        self.name = name
        self.type = type
    }
}

/// A global secondary index to create with a table.
public struct GlobalSecondaryIndex: Sendable, Hashable {
    /// Which attributes the index copies.
    public enum Projection: Sendable, Hashable {
        case all
        case keysOnly
        case include([String])
    }

    public var name: String
    public var hashKey: KeyAttribute
    public var rangeKey: KeyAttribute?
    public var projection: Projection

    public init(name: String, hashKey: KeyAttribute, rangeKey: KeyAttribute? = nil, projection: Projection = .all) {
        self.name = name
        self.hashKey = hashKey
        self.rangeKey = rangeKey
        self.projection = projection
    }
}

/// What a table's stream records carry of the item a write changed.
public enum StreamViewType: String, Sendable, Hashable, Codable {
    case keysOnly = "KEYS_ONLY"
    case newImage = "NEW_IMAGE"
    case oldImage = "OLD_IMAGE"
    case newAndOldImages = "NEW_AND_OLD_IMAGES"
}

/// `CreateTable` for an on-demand (`PAY_PER_REQUEST`) table.
///
/// Attribute definitions are derived from the table's and indexes' keys; declaring one
/// name with two types fails on the service side with `.validation`.
public struct CreateTableInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var hashKey: KeyAttribute
    public var rangeKey: KeyAttribute?
    public var globalSecondaryIndexes: [GlobalSecondaryIndex]
    /// A DynamoDB stream of the table's changes, or none (`nil`).
    public var stream: StreamViewType?

    public init(
        tableName: String,
        hashKey: KeyAttribute,
        rangeKey: KeyAttribute? = nil,
        globalSecondaryIndexes: [GlobalSecondaryIndex] = [],
        stream: StreamViewType? = nil
    ) {
        self.tableName = tableName
        self.hashKey = hashKey
        self.rangeKey = rangeKey
        self.globalSecondaryIndexes = globalSecondaryIndexes
        self.stream = stream
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", attributeDefinitions = "AttributeDefinitions", keySchema = "KeySchema"
        case billingMode = "BillingMode", globalSecondaryIndexes = "GlobalSecondaryIndexes"
        case streamSpecification = "StreamSpecification"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tableName, forKey: .tableName)
        try container.encode(WireSchema.keySchema(hashKey, rangeKey), forKey: .keySchema)
        try container.encode("PAY_PER_REQUEST", forKey: .billingMode)
        let keys = [hashKey, rangeKey].compactMap { $0 } + globalSecondaryIndexes.flatMap(\.keys)
        try container.encode(WireSchema.definitions(keys), forKey: .attributeDefinitions)
        if !globalSecondaryIndexes.isEmpty {
            try container.encode(globalSecondaryIndexes.map(WireSchema.Index.init), forKey: .globalSecondaryIndexes)
        }
        if let stream {
            try container.encode(WireSchema.Stream(StreamEnabled: true, StreamViewType: stream), forKey: .streamSpecification)
        }
    }
}

/// `UpdateTable`: turns the table's stream on. The table is `UPDATING` for a while
/// afterwards (see `waitUntilTableActive`).
public struct UpdateTableInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var enableStream: StreamViewType?

    public init(tableName: String, enableStream: StreamViewType? = nil) {
        self.tableName = tableName
        self.enableStream = enableStream
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", streamSpecification = "StreamSpecification"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tableName, forKey: .tableName)
        if let enableStream {
            try container.encode(WireSchema.Stream(StreamEnabled: true, StreamViewType: enableStream), forKey: .streamSpecification)
        }
    }
}

extension GlobalSecondaryIndex {
    var keys: [KeyAttribute] { [hashKey, rangeKey].compactMap { $0 } }
}

/// The JSON shapes that `CreateTable` and `UpdateTable` share.
private enum WireSchema {
    struct AttributeDefinition: Encodable {
        var AttributeName: String
        var AttributeType: ScalarAttributeType
    }

    struct KeySchemaElement: Encodable {
        var AttributeName: String
        var KeyType: String
    }

    struct IndexProjection: Encodable {
        var ProjectionType: String
        var NonKeyAttributes: [String]?
    }

    struct Index: Encodable {
        var IndexName: String
        var KeySchema: [KeySchemaElement]
        var Projection: IndexProjection

        init(_ index: GlobalSecondaryIndex) {
            IndexName = index.name
            KeySchema = WireSchema.keySchema(index.hashKey, index.rangeKey)
            switch index.projection {
            case .all: Projection = IndexProjection(ProjectionType: "ALL")
            case .keysOnly: Projection = IndexProjection(ProjectionType: "KEYS_ONLY")
            case .include(let names): Projection = IndexProjection(ProjectionType: "INCLUDE", NonKeyAttributes: names)
            }
        }
    }

    struct Stream: Encodable {
        var StreamEnabled: Bool
        var StreamViewType: AWSDynamoDB.StreamViewType
    }

    static func keySchema(_ hash: KeyAttribute, _ range: KeyAttribute?) -> [KeySchemaElement] {
        [KeySchemaElement(AttributeName: hash.name, KeyType: "HASH")]
            + (range.map { [KeySchemaElement(AttributeName: $0.name, KeyType: "RANGE")] } ?? [])
    }

    /// One definition per attribute name, in first-seen order.
    static func definitions(_ keys: [KeyAttribute]) -> [AttributeDefinition] {
        var seen: Set<KeyAttribute> = []
        return keys.filter { seen.insert($0).inserted }.map { AttributeDefinition(AttributeName: $0.name, AttributeType: $0.type) }
    }
}

/// A table or index status, e.g. `ACTIVE`; values this library does not know are kept.
public struct TableStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    public static let creating = TableStatus(rawValue: "CREATING")
    public static let active = TableStatus(rawValue: "ACTIVE")
    public static let updating = TableStatus(rawValue: "UPDATING")
    public static let deleting = TableStatus(rawValue: "DELETING")
}

/// What `CreateTable` and `DescribeTable` say about a table (the fields this library uses).
public struct TableDescription: Sendable, Hashable, Decodable {
    public struct IndexDescription: Sendable, Hashable, Decodable {
        public var indexName: String
        /// `nil` when the service does not report it.
        public var indexStatus: TableStatus?

        private enum CodingKeys: String, CodingKey {
            case indexName = "IndexName", indexStatus = "IndexStatus"
        }
    }

    public var tableName: String
    public var tableStatus: TableStatus
    public var tableARN: String?
    public var itemCount: Int?
    public var globalSecondaryIndexes: [IndexDescription]
    /// The table's current stream, when it has one enabled.
    public var latestStreamARN: String?
    /// What the enabled stream carries; `nil` when the stream is off.
    public var streamViewType: StreamViewType?

    /// The table and all its global secondary indexes are `ACTIVE`.
    public var isActive: Bool {
        tableStatus == .active && globalSecondaryIndexes.allSatisfy { ($0.indexStatus ?? .active) == .active }
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", tableStatus = "TableStatus", tableARN = "TableArn"
        case itemCount = "ItemCount", globalSecondaryIndexes = "GlobalSecondaryIndexes"
        case latestStreamARN = "LatestStreamArn", streamSpecification = "StreamSpecification"
    }

    private struct StreamSpecification: Decodable {
        var StreamEnabled: Bool?
        var StreamViewType: AWSDynamoDB.StreamViewType?
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tableName = try container.decode(String.self, forKey: .tableName)
        tableStatus = try container.decode(TableStatus.self, forKey: .tableStatus)
        tableARN = try container.decodeIfPresent(String.self, forKey: .tableARN)
        itemCount = try container.decodeIfPresent(Int.self, forKey: .itemCount)
        globalSecondaryIndexes = try container.decodeIfPresent([IndexDescription].self, forKey: .globalSecondaryIndexes) ?? []
        let stream = try container.decodeIfPresent(StreamSpecification.self, forKey: .streamSpecification)
        streamViewType = stream?.StreamEnabled == true ? stream?.StreamViewType : nil
        latestStreamARN = streamViewType == nil ? nil : try container.decodeIfPresent(String.self, forKey: .latestStreamARN)
    }
}
