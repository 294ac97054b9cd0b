import AWSDynamoDB
import TeamsDomain

/// The head of the event log, the `meta#sequence` item: the last sequence given out,
/// the epoch of the sequencer that gave it, and how far that sequencer has read the
/// stream. The same item (and `seq`) as the earlier layout's counter, so a table
/// written by it continues its sequence.
struct EventLogHead: Sendable, Equatable {
    var sequence: UInt64
    var epoch: UInt64
    /// The stream the checkpoints are in.
    var stream: String?
    /// Per shard id: the sequence number of the last record taken, or `ended`.
    var checkpoints: [String: String]
    /// The names index holds every team written before the stream was read.
    var indexed: Bool

    static let ended = "end"

    init(item: [String: AttributeValue]?) throws(RepositoryError) {
        let id = ItemLayout.sequenceCounterID
        sequence = try ItemLayout.count(ItemLayout.lastSequence, in: item, id: id)
        epoch = try ItemLayout.count(ItemLayout.epoch, in: item, id: id)
        indexed = try ItemLayout.count(ItemLayout.indexed, in: item, id: id) > 0
        stream = item?[ItemLayout.stream]?.stringValue
        var checkpoints: [String: String] = [:]
        for (shard, value) in item?[ItemLayout.checkpoints]?.mapValue ?? [:] {
            guard let position = value.stringValue else { throw .corrupt("\(id) has a checkpoint of shard \(shard) that is not a string") }
            checkpoints[shard] = position
        }
        self.checkpoints = checkpoints
    }

    /// How a conditional write of the log went.
    enum WriteOutcome: Equatable {
        case written
        /// The condition was false: read the head again to tell whether another sequencer
        /// took over (its epoch is there) or an older server advanced `seq` itself.
        case refused
    }
}

/// The writes of the log, each conditional on the writer's epoch.
struct EventLog: Sendable {
    let client: DynamoDBClient
    let table: String

    func readHead() async throws -> EventLogHead {
        try EventLogHead(item: try await client.getItem(GetItemInput(
            tableName: table, key: ItemLayout.key(ItemLayout.sequenceCounterID), consistentRead: true)))
    }

    /// Writes `epoch` into the head unless a newer one is there: from then on no older
    /// sequencer can advance it.
    func fence(epoch: UInt64) async throws -> EventLogHead.WriteOutcome {
        try await refusable {
            try await client.updateItem(UpdateItemInput(
                tableName: table, key: ItemLayout.key(ItemLayout.sequenceCounterID),
                updateExpression: "SET #epoch = :epoch",
                conditionExpression: "attribute_not_exists(#epoch) OR #epoch < :epoch",
                expressionAttributeNames: ["#epoch": ItemLayout.epoch], expressionAttributeValues: [":epoch": .number(epoch)]))
        }
    }

    /// Writes `events` as log items `head.sequence + 1 …`. An item may be overwritten
    /// only when an older epoch wrote it (above the head, never read): below the head
    /// nothing changes.
    func append(_ events: [TeamEvent], after sequence: UInt64, epoch: UInt64) async throws -> EventLogHead.WriteOutcome {
        try await withThrowingTaskGroup(of: EventLogHead.WriteOutcome.self) { group in
            var outcome = EventLogHead.WriteOutcome.written
            for (offset, event) in events.enumerated() {
                if offset >= 16, let done = try await group.next(), done == .refused { outcome = .refused }
                group.addTask {
                    var item = EventItem.item(event, sequence: sequence + UInt64(offset) + 1)
                    item[ItemLayout.epoch] = .number(epoch)
                    return try await refusable {
                        try await client.putItem(PutItemInput(
                            tableName: table, item: item, conditionExpression: "attribute_not_exists(#id) OR #epoch < :epoch",
                            expressionAttributeNames: ["#id": ItemLayout.id, "#epoch": ItemLayout.epoch],
                            expressionAttributeValues: [":epoch": .number(epoch)]))
                    }
                }
            }
            for try await done in group where done == .refused { outcome = .refused }
            return outcome
        }
    }

    /// Moves the head from `old` to `new` (sequence and checkpoints), if `epoch` still
    /// holds it and nobody moved it meanwhile.
    func advance(from old: EventLogHead, to new: EventLogHead, epoch: UInt64) async throws -> EventLogHead.WriteOutcome {
        var values: ExpressionAttributeValues = [
            ":seq": .number(new.sequence), ":old": .number(old.sequence), ":epoch": .number(epoch),
            ":checkpoints": .m(new.checkpoints.mapValues { .s($0) }), ":indexed": .number(new.indexed ? 1 : 0),
        ]
        var update = "SET #seq = :seq, #checkpoints = :checkpoints, #indexed = :indexed"
        var names: ExpressionAttributeNames = [
            "#seq": ItemLayout.lastSequence, "#epoch": ItemLayout.epoch, "#checkpoints": ItemLayout.checkpoints,
            "#indexed": ItemLayout.indexed,
        ]
        if let stream = new.stream {
            update += ", #stream = :stream"
            names["#stream"] = ItemLayout.stream
            values[":stream"] = .s(stream)
        }
        let unmoved = old.sequence == 0 ? "(attribute_not_exists(#seq) OR #seq = :old)" : "#seq = :old"
        return try await refusable {
            try await client.updateItem(UpdateItemInput(
                tableName: table, key: ItemLayout.key(ItemLayout.sequenceCounterID), updateExpression: update,
                conditionExpression: "#epoch = :epoch AND \(unmoved)", expressionAttributeNames: names, expressionAttributeValues: values))
        }
    }

    private func refusable(_ body: () async throws -> Void) async throws -> EventLogHead.WriteOutcome {
        do {
            try await body()
            return .written
        } catch DynamoDBError.conditionalCheckFailed {
            return .refused
        }
    }
}
