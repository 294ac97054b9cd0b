import AWSDynamoDB
import CoreMetrics
import TeamsDomain

/// The event log: `event#<sequence>` items, which the fleet's sequencer writes
/// (`FleetSequencer`), the `meta#sequence` head (last sequence and prune horizon) and
/// the `meta#relay` delivery position.
///
/// Reading by sequence needs no index: the head says which sequences exist, and
/// their items are fetched by id with `BatchGetItem` (100 per request). A server's
/// watchers share one poller (`ChangePoller`), which costs one consistent `GetItem`
/// per poll.
extension DynamoDBTeamStore {
    public func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        guard limit > 0 else { return [] }
        let counter = try await readCounter()
        // `sequence` may be any UInt64 a client sent: compare before adding to it.
        guard sequence < counter.last else { return [] }
        let first = max(sequence, counter.prunedThrough) + 1
        guard first <= counter.last else { return [] }
        let last = counter.last - first >= UInt64(limit) ? first + UInt64(limit) - 1 : counter.last
        var found = try await eventItems(first...last)
        let missing = (first...last).filter { found[$0] == nil }
        if !missing.isEmpty {
            // The sequencer writes each event before it moves the head past it, and both are
            // read consistently, so one missing below the head is a hole (a partial restore,
            // a lost write), not a write in flight. A second look rules out the unexpected.
            try? await Task.sleep(for: .milliseconds(50))
            for (sequence, item) in try await eventItems(missing.first!...missing.last!) { found[sequence] = item }
        }
        var events: [TeamEvent] = []
        for wanted in first...last {
            guard let item = found[wanted] else {
                // Reported and passed over, so readers never stall on it for good.
                reportHole(at: wanted, last: counter.last)
                continue
            }
            events.append(try EventItem.event(from: item))
        }
        return events
    }

    /// A missing event below the counter: an error line and `teams_event_holes_total`,
    /// once per sequence per process (every reader that passes it would report it again).
    private func reportHole(at sequence: UInt64, last: UInt64) {
        guard reportedHoles.withLock({ $0.insert(sequence).inserted }) else { return }
        CoreMetrics.Counter(label: "teams_event_holes_total").increment()
        logger.error("event hole: an event below the last sequence is missing; readers skip it", metadata: [
            "table": "\(tableName)", "sequence": "\(sequence)", "last_sequence": "\(last)",
        ])
    }

    public func latestSequence() async throws(RepositoryError) -> UInt64 {
        try await readCounter().last
    }

    public func deliveredSequence() async throws(RepositoryError) -> UInt64 {
        let item = try await call {
            try await self.client.getItem(GetItemInput(tableName: self.tableName, key: ItemLayout.key(ItemLayout.relayID), consistentRead: true))
        }
        return try ItemLayout.count(ItemLayout.delivered, in: item, id: ItemLayout.relayID)
    }

    /// Moves the delivered position forward (a condition keeps it from moving back,
    /// which two servers' relays could otherwise do).
    public func markDelivered(through sequence: UInt64) async throws(RepositoryError) {
        let input = UpdateItemInput(
            tableName: tableName, key: ItemLayout.key(ItemLayout.relayID),
            updateExpression: "SET #d = :s", conditionExpression: "attribute_not_exists(#d) OR #d < :s",
            expressionAttributeNames: ["#d": ItemLayout.delivered], expressionAttributeValues: [":s": .number(sequence)])
        do {
            try await client.updateItem(input)
        } catch DynamoDBError.conditionalCheckFailed {
            return  // already further
        } catch {
            throw ErrorMapping.repositoryError(error, table: tableName)
        }
    }

    /// Deletes the oldest events, from the prune horizon up to the first one that
    /// occurred at or after `unixMilliseconds`, and returns how many went.
    ///
    /// Only a prefix goes, so the kept events stay gapless: the horizon
    /// (`prunedThrough`) is raised first, then the items are deleted. Readers skip
    /// what is under the horizon, so they never wait on a deleted event. If the
    /// process dies in between, the items stay but are never read.
    /// Idempotency records are not scanned for: they expire by TTL and are ignored
    /// after their window anyway.
    public func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        let counter = try await readCounter()
        guard counter.prunedThrough < counter.last else { return 0 }
        var horizon = counter.prunedThrough
        var doomed: [String] = []
        var next = counter.prunedThrough + 1
        scanning: while next <= counter.last {
            let chunk = next...min(counter.last, next + 99)
            let found = try await eventItems(chunk)
            for sequence in chunk {
                if let item = found[sequence] {
                    guard let occurredAt = item[ItemLayout.occurredAt]?.numberValue.flatMap(Int64.init),
                        occurredAt < unixMilliseconds
                    else { break scanning }
                    doomed.append(ItemLayout.eventID(sequence))
                }
                horizon = sequence  // a missing one was deleted by an interrupted prune
            }
            next = chunk.upperBound + 1
        }
        guard horizon > counter.prunedThrough else { return 0 }

        let raise = UpdateItemInput(
            tableName: tableName, key: ItemLayout.key(ItemLayout.sequenceCounterID),
            updateExpression: "SET #p = :p",
            conditionExpression: "attribute_exists(#seq) AND (attribute_not_exists(#p) OR #p < :p)",
            expressionAttributeNames: ["#p": ItemLayout.prunedThrough, "#seq": ItemLayout.lastSequence],
            expressionAttributeValues: [":p": .number(horizon)])
        do {
            try await client.updateItem(raise)
        } catch DynamoDBError.conditionalCheckFailed {
            // Another server pruned at least as far; deleting again is harmless.
        } catch {
            throw ErrorMapping.repositoryError(error, table: tableName)
        }
        let ids = doomed
        try await call { try await self.client.batchDeleteItems(table: self.tableName, ids: ids) }
        return doomed.count
    }

    // MARK: Helpers

    struct Counter {
        /// The last sequence handed out.
        var last: UInt64
        /// Events up to here were pruned.
        var prunedThrough: UInt64
    }

    func readCounter() async throws(RepositoryError) -> Counter {
        let item = try await call {
            try await self.client.getItem(GetItemInput(
                tableName: self.tableName, key: ItemLayout.key(ItemLayout.sequenceCounterID), consistentRead: true))
        }
        return Counter(
            last: try ItemLayout.count(ItemLayout.lastSequence, in: item, id: ItemLayout.sequenceCounterID),
            prunedThrough: try ItemLayout.count(ItemLayout.prunedThrough, in: item, id: ItemLayout.sequenceCounterID))
    }

    /// The event items of `sequences` that exist, by sequence.
    private func eventItems(_ sequences: ClosedRange<UInt64>) async throws(RepositoryError) -> [UInt64: [String: AttributeValue]] {
        var found: [UInt64: [String: AttributeValue]] = [:]
        var start = sequences.lowerBound
        while start <= sequences.upperBound {
            let end = min(sequences.upperBound, start + 99)
            let ids = (start...end).map(ItemLayout.eventID)
            let items = try await call { try await self.client.batchGetItems(table: self.tableName, ids: ids) }
            for item in items {
                if let sequence = item[ItemLayout.sequence]?.numberValue.flatMap(UInt64.init) { found[sequence] = item }
            }
            if end == UInt64.max { break }
            start = end + 1
        }
        return found
    }
}
