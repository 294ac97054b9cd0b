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

/// `CreateTable` for an on-demand (`PAY_PER_REQUEST`) table.
///
/// Attribute definitions are derived from the table's and indexes' keys; declaring one
/// name with two types fails on the service side with `.validation`.
public struct CreateTableInput: Sendable, Hashable, Encodable {
    public var tableName: String
    public var hashKey: KeyAttribute
    public var rangeKey: KeyAttribute?
    public var globalSecondaryIndexes: [GlobalSecondaryIndex]

    public init(
        tableName: String,
        hashKey: KeyAttribute,
        rangeKey: KeyAttribute? = nil,
        globalSecondaryIndexes: [GlobalSecondaryIndex] = []
    ) {
        self.tableName = tableName
        self.hashKey = hashKey
        self.rangeKey = rangeKey
        self.globalSecondaryIndexes = globalSecondaryIndexes
    }

    private struct AttributeDefinition: Encodable {
        var AttributeName: String
        var AttributeType: ScalarAttributeType
    }

    private struct KeySchemaElement: Encodable {
        var AttributeName: String
        var KeyType: String
    }

    private struct WireProjection: Encodable {
        var ProjectionType: String
        var NonKeyAttributes: [String]?
    }

    private struct WireIndex: Encodable {
        var IndexName: String
        var KeySchema: [KeySchemaElement]
        var Projection: WireProjection
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", attributeDefinitions = "AttributeDefinitions", keySchema = "KeySchema"
        case billingMode = "BillingMode", globalSecondaryIndexes = "GlobalSecondaryIndexes"
    }

    private static func keySchema(_ hash: KeyAttribute, _ range: KeyAttribute?) -> [KeySchemaElement] {
        [KeySchemaElement(AttributeName: hash.name, KeyType: "HASH")]
            + (range.map { [KeySchemaElement(AttributeName: $0.name, KeyType: "RANGE")] } ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tableName, forKey: .tableName)
        try container.encode(Self.keySchema(hashKey, rangeKey), forKey: .keySchema)
        try container.encode("PAY_PER_REQUEST", forKey: .billingMode)

        var definitions: [AttributeDefinition] = []
        var seen: Set<KeyAttribute> = []
        let keys = [hashKey, rangeKey].compactMap { $0 }
            + globalSecondaryIndexes.flatMap { [$0.hashKey, $0.rangeKey].compactMap { $0 } }
        for key in keys where seen.insert(key).inserted {
            definitions.append(AttributeDefinition(AttributeName: key.name, AttributeType: key.type))
        }
        try container.encode(definitions, forKey: .attributeDefinitions)

        if !globalSecondaryIndexes.isEmpty {
            let indexes = globalSecondaryIndexes.map { index in
                let projection: WireProjection
                switch index.projection {
                case .all: projection = WireProjection(ProjectionType: "ALL")
                case .keysOnly: projection = WireProjection(ProjectionType: "KEYS_ONLY")
                case .include(let names): projection = WireProjection(ProjectionType: "INCLUDE", NonKeyAttributes: names)
                }
                return WireIndex(
                    IndexName: index.name,
                    KeySchema: Self.keySchema(index.hashKey, index.rangeKey),
                    Projection: projection
                )
            }
            try container.encode(indexes, forKey: .globalSecondaryIndexes)
        }
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

    /// The table and all its global secondary indexes are `ACTIVE`.
    public var isActive: Bool {
        tableStatus == .active && globalSecondaryIndexes.allSatisfy { ($0.indexStatus ?? .active) == .active }
    }

    private enum CodingKeys: String, CodingKey {
        case tableName = "TableName", tableStatus = "TableStatus", tableARN = "TableArn"
        case itemCount = "ItemCount", globalSecondaryIndexes = "GlobalSecondaryIndexes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tableName = try container.decode(String.self, forKey: .tableName)
        tableStatus = try container.decode(TableStatus.self, forKey: .tableStatus)
        tableARN = try container.decodeIfPresent(String.self, forKey: .tableARN)
        itemCount = try container.decodeIfPresent(Int.self, forKey: .itemCount)
        globalSecondaryIndexes = try container.decodeIfPresent([IndexDescription].self, forKey: .globalSecondaryIndexes) ?? []
    }
}
