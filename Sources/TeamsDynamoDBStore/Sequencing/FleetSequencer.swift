import AWSDynamoDB
import CoreMetrics
import Logging
import TeamsDomain
import TeamsSupport

/// Gives the changes stored in the table their place in the event log: one process of
/// the fleet at a time, the holder of the sequencer lease.
///
/// Each change is one write of its team item, which records the change
/// (`TeamItem.lastEvent`). The table's stream carries every write to the holder,
/// which, round by round:
/// 1. reads each shard whose parent has been read to its end (so a team's changes keep
///    their order across a split), from the checkpoint in the log's head;
/// 2. brings the names index (`NameIndex`) up to date for the teams the records touch;
/// 3. writes the changes as log items `event#S+1 …`, conditional on its epoch;
/// 4. advances the head (`seq`, the checkpoints) on the condition that its epoch is
///    still there and `seq` did not move.
///
/// So sequences are gapless (the head moves only past written items) and each change
/// is numbered once: a new holder fences the head with its greater epoch first, then
/// goes on from the head's checkpoint, overwriting whatever a deposed holder wrote
/// above the head. A crash between 3 and 4 only repeats the round. Records without a
/// change (the log's own items, the leases, idempotency records, an older server's
/// writes, TTL removals) advance only the checkpoint, kept in memory until the next
/// real advance, so the head's own record does not feed the loop.
///
/// Across shards the order is the sequencer's: two teams' changes may be numbered in
/// another order than they were written, after the stream's delay (about a second on
/// DynamoDB).
public actor FleetSequencer {
    private let store: DynamoDBTeamStore
    private let feed: any ChangeFeed
    private let lease: SequencerLease
    private let log: EventLog
    private let logger: Logger
    /// How long an idle holder waits between reads of the stream (AWS allows 5 reads
    /// of a shard per second); a standby server tries the lease every `duration / 4`.
    private let idleInterval: Duration

    /// The epoch while this process holds the lease, and when it was last renewed.
    private var epoch: UInt64?
    private var renewedAt = ContinuousClock.now
    /// The head as written, and the checkpoints read past since (records with no change).
    private var head: EventLogHead?
    private var checkpoints: [String: String] = [:]

    public init(store: DynamoDBTeamStore, feed: any ChangeFeed, owner: String, leaseDuration: Duration = .seconds(10), idleInterval: Duration = .milliseconds(250)) {
        self.store = store
        self.feed = feed
        self.lease = SequencerLease(client: store.client, table: store.tableName, owner: owner, duration: leaseDuration, clock: store.clock)
        self.log = EventLog(client: store.client, table: store.tableName)
        self.logger = store.logger
        self.idleInterval = idleInterval
    }

    /// Whether this process holds the lease, as of its last round.
    public var isHolder: Bool { epoch != nil }

    /// Sequences until the task is cancelled, then lets the lease go.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            let pause: Duration
            do {
                switch try await round() {
                case .worked: pause = .zero
                case .idle: pause = idleInterval
                case .standby: pause = lease.duration / 4
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("sequencer: the round failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
                pause = Backoff(base: .milliseconds(100), max: .seconds(5), jitter: .full).delay(forAttempt: failures)
            }
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        // Released from a task of its own: this one is cancelled, and so would be its calls.
        if let epoch { await Task { [lease] in await lease.release(epoch: epoch) }.value }
        epoch = nil
    }

    /// Takes the lease if it can and sequences until the stream has nothing more now.
    /// - Throws: `.unavailable` while another process holds the lease.
    public func catchUp() async throws(RepositoryError) {
        while true {
            let outcome: RoundOutcome
            do {
                outcome = try await round()
            } catch {
                throw ErrorMapping.repositoryError(error, table: store.tableName)
            }
            switch outcome {
            case .worked: continue
            case .idle: return
            case .standby: throw .unavailable("another server holds the sequencer lease of table \(store.tableName)")
            }
        }
    }

    enum RoundOutcome { case worked, idle, standby }

    /// One pass over the ready shards.
    func round() async throws -> RoundOutcome {
        try await ConsumedCapacityMetrics.$purpose.withValue("sequencer") {
            guard let epoch = try await holdLease(), var head = try await currentHead(epoch: epoch) else { return .standby }
            let (stream, shards) = try await feed.shards()
            if head.stream != stream {
                if head.stream != nil {
                    logger.warning("sequencer: the table has a new stream; changes made before it have no events", metadata: ["stream": "\(stream)"])
                }
                head.stream = stream
                head.checkpoints = [:]
                checkpoints = [:]
                self.head = head
            }
            let known = Set(shards.map(\.shardID))
            checkpoints = checkpoints.filter { known.contains($0.key) }
            var worked = false
            for shard in shards where checkpoints[shard.shardID] != EventLogHead.ended {
                if let parent = shard.parentShardID, known.contains(parent), checkpoints[parent] != EventLogHead.ended { continue }
                let batch = try await feed.records(of: shard, after: checkpoints[shard.shardID])
                if batch.trimmed {
                    logger.error("sequencer: the stream no longer keeps the records after the checkpoint; changes in between have no events",
                                 metadata: ["shard": "\(shard.shardID)"])
                }
                guard let position = batch.ended ? EventLogHead.ended : batch.records.last?.sequenceNumber else { continue }
                let (events, index) = changes(in: batch.records)
                var read = checkpoints
                read[shard.shardID] = position
                worked = true
                guard !events.isEmpty || !index.puts.isEmpty || !index.deletes.isEmpty else {
                    checkpoints = read
                    continue
                }

                try await ConsumedCapacityMetrics.$purpose.withValue("index") {
                    try await store.client.batchWrite(table: store.indexTableName, puts: index.puts, deletes: index.deletes)
                }
                var next = head
                next.sequence += UInt64(events.count)
                next.checkpoints = read
                guard try await log.append(events, after: head.sequence, epoch: epoch) == .written,
                    try await log.advance(from: head, to: next, epoch: epoch) == .written
                else {
                    // Deposed, or an older server moved the head: start over from what it says.
                    self.head = nil
                    return .worked
                }
                head = next
                self.head = next
                checkpoints = read
                if !events.isEmpty { Counter(label: "teams_events_sequenced_total").increment(by: events.count) }
            }
            return worked ? .worked : .idle
        }
    }

    /// The changes recorded by a batch's writes, and the index writes that bring each
    /// team from its list entries before the batch to those after it.
    private func changes(in records: [StreamRecord]) -> (events: [TeamEvent], index: (puts: [[String: AttributeValue]], deletes: [[String: AttributeValue]])) {
        var events: [TeamEvent] = []
        var listed: [TeamID: (before: String?, after: String?)] = [:]
        var order: [TeamID] = []
        for record in records {
            guard let rawID = record.keys[ItemLayout.id]?.stringValue, let id = TeamID(rawID) else { continue }
            let after = TeamItem.listedNameKey(record.newImage)
            if let known = listed[id] {
                listed[id] = (known.before, after)
            } else {
                listed[id] = (TeamItem.listedNameKey(record.oldImage), after)
                order.append(id)
            }
            guard let image = record.newImage else { continue }
            do {
                if let event = try TeamItem.lastEvent(id: id, in: image) { events.append(event) }
            } catch {
                Counter(label: "teams_event_holes_total").increment()
                logger.error("sequencer: a change cannot be read and gets no event", metadata: ["team": "\(id)", "error": "\(error)"])
            }
        }
        var puts: [[String: AttributeValue]] = []
        var deletes: [[String: AttributeValue]] = []
        for id in order {
            let change = NameIndex.changes(team: id, from: listed[id]!.before, to: listed[id]!.after)
            puts += change.puts
            deletes += change.deletes
        }
        return (events, (puts, deletes))
    }

    /// The epoch this process holds, renewing or taking the lease when due; `nil`
    /// while another process holds it.
    private func holdLease() async throws -> UInt64? {
        if let epoch {
            guard ContinuousClock.now - renewedAt >= lease.duration / 3 else { return epoch }
            if try await lease.renew(epoch: epoch) {
                renewedAt = .now
                return epoch
            }
            logger.warning("sequencer: lost the lease", metadata: ["epoch": "\(epoch)"])
            self.epoch = nil
            head = nil
        }
        guard let taken = try await lease.acquire() else { return nil }
        renewedAt = .now
        guard try await log.fence(epoch: taken) == .written else { return nil }  // a newer epoch is there already
        epoch = taken
        head = nil
        logger.info("sequencer: took the lease", metadata: ["epoch": "\(taken)"])
        return taken
    }

    /// The head as this holder last wrote it, read again when it is not known; `nil`
    /// (and the lease dropped) when another epoch wrote it since.
    private func currentHead(epoch: UInt64) async throws -> EventLogHead? {
        if let head { return head }
        var read = try await log.readHead()
        guard read.epoch == epoch else {
            self.epoch = nil
            return nil
        }
        checkpoints = read.checkpoints
        if !read.indexed {
            try await backfillIndex()
            var next = read
            next.indexed = true
            guard try await log.advance(from: read, to: next, epoch: epoch) == .written else { return nil }
            read = next
        }
        head = read
        return read
    }

    /// Lists every team already in the table in the names index: those written before
    /// the stream was there (by an earlier version, or the Go service). Runs once per table.
    private func backfillIndex() async throws {
        logger.info("sequencer: listing the table's teams in the names index (once per table)")
        var listed = 0
        var nextReport = 5000
        var startKey: [String: AttributeValue]?
        repeat {
            let page = try await store.client.scan(ScanInput(
                tableName: store.tableName, filterExpression: "attribute_exists(#tn) AND attribute_not_exists(#deleted)",
                projectionExpression: "#id, #tn, #nk",
                expressionAttributeNames: ["#id": ItemLayout.id, "#tn": ItemLayout.teamName, "#nk": ItemLayout.nameKey, "#deleted": ItemLayout.deleted],
                exclusiveStartKey: startKey, consistentRead: true))
            var puts: [[String: AttributeValue]] = []
            for item in page.items {
                guard let rawID = item[ItemLayout.id]?.stringValue, let id = TeamID(rawID),
                    let key = TeamItem.listedNameKey(item)
                else { continue }
                puts += NameIndex.changes(team: id, from: nil, to: key).puts
                listed += 1
            }
            try await ConsumedCapacityMetrics.$purpose.withValue("index") {
                try await store.client.batchWrite(table: store.indexTableName, puts: puts, deletes: [])
            }
            if listed >= nextReport {
                nextReport += 5000
                logger.info("sequencer: listing teams in the names index", metadata: ["teams": "\(listed)"])
            }
            startKey = page.lastEvaluatedKey
        } while startKey != nil
        logger.info("sequencer: the names index lists every team", metadata: ["teams": "\(listed)"])
    }
}

extension DynamoDBTeamStore {
    /// The sequencer for this table, reading its stream. `owner` names this process in
    /// the lease, e.g. a random UUID per server.
    /// - Throws: `.misconfigured` when the table has no stream.
    public func sequencer(owner: String, leaseDuration: Duration = .seconds(10)) async throws(RepositoryError) -> FleetSequencer {
        let table = try await call { try await self.client.describeTable(self.tableName) }
        guard table.latestStreamARN != nil else {
            throw .misconfigured("table \(tableName) has no stream; start a server without --no-create-table once to add it")
        }
        return FleetSequencer(store: self, feed: DynamoDBStreamFeed(client: client, table: tableName), owner: owner, leaseDuration: leaseDuration)
    }
}
