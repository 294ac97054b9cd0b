import AWSDynamoDB
import CoreMetrics
import Foundation
import TeamsDomain

/// One change to store together with its event: the team-side writes, each with
/// its own condition (the team item; for a keyed create also the idempotency record).
struct PendingChange: Sendable {
    var writes: [TransactWriteItem]
    /// The ids of the items `writes` touch: one transaction may touch an item once only.
    var itemIDs: [String]
    var event: TeamEvent
}

/// What became of a `PendingChange`.
enum CommitOutcome: Sendable, Equatable {
    /// Stored, with its event at `sequence`.
    case committed(sequence: UInt64)
    /// The condition of `writes[index]` was false; nothing was written.
    case conditionFailed(index: Int)
    /// Nothing was written (or, after a timeout, it is not known whether it was).
    case failed(RepositoryError)
}

/// Writes changes and their outbox events in `TransactWriteItems` transactions that
/// also advance the `meta#sequence` counter, so event sequences have no gaps, even
/// with many servers writing to one table.
///
/// **Why there are no gaps.** The counter item holds the last sequence handed out,
/// S. A transaction that stores n changes writes their events as `event#S+1` …
/// `event#S+n` and sets the counter to S+n *on the condition that it is still S*.
/// DynamoDB applies a transaction entirely or not at all, and serialises
/// transactions on the items they share, so of all writers (in any process) that
/// read S, exactly one commits; the others fail the counter condition, write
/// nothing, read the counter again and retry. Hence every sequence is assigned
/// exactly once, by the transaction that moves the counter past it, and the events
/// committed are exactly 1…S. A failed attempt burns no sequence, unlike an atomic
/// `ADD seq 1` followed by a separate write, which leaves a hole when the writer
/// fails in between. Readers (`events(after:limit:)`) read the counter first, so
/// they never return k+1 before k is committed; an event missing below the counter
/// all the same (a partial restore) is reported as a hole and passed over.
///
/// **Why one writer per process.** Every transaction writes the counter, so
/// concurrent transactions from one process would only make each other fail. This
/// actor sends one transaction at a time and puts up to `maxChangesPerTransaction`
/// queued changes into it (a group commit), which also divides the load on the one
/// hot counter item. Changes in one transaction must touch distinct items; a change
/// to an item already in the batch waits for the next one.
///
/// **When a transaction is cancelled**, DynamoDB says why per item. A false team
/// condition fails only that change (`conditionFailed`); the operation turns it into
/// `alreadyExists`, `versionConflict` or `notFound`. A false counter condition (or a
/// conflict with a concurrent transaction) means another writer went first: the rest
/// of the batch is retried with the counter read afresh, after a short jittered pause
/// once it keeps happening. A cancellation DynamoDB blames on throttling or on a
/// conflicting transaction is not a lost race: it backs off longer (`Contention`),
/// and every cancellation reason is counted (`dynamodb_transaction_cancellations_total`,
/// throttling also in `dynamodb_throttles_total`), so the README's alerts see them. Each attempt carries its own `ClientRequestToken`, so
/// the HTTP client's own retries of a timed-out attempt cannot apply it twice.
actor SequencedWriter {
    private typealias Entry = (change: PendingChange, continuation: CheckedContinuation<CommitOutcome, Never>)

    private let client: DynamoDBClient
    private let table: String
    private var queue: [Entry] = []
    private var draining = false
    /// The counter as of our last commit; `nil` when it must be read first.
    private var knownSequence: UInt64?

    /// 25 changes take at most 76 of a transaction's 100 items.
    static let maxChangesPerTransaction = 25
    /// Rounds of one batch, and the time they may take, before its changes fail as `.unavailable`.
    static let maxRounds = 200
    static let maxContentionTime: Duration = .seconds(30)

    init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    /// Stores `change` and its event; returns once it is committed or failed.
    func commit(_ change: PendingChange) async -> CommitOutcome {
        await withCheckedContinuation { continuation in
            queue.append((change, continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            await run(takeBatch())
        }
        draining = false
    }

    /// The oldest queued changes that touch distinct items, at most `maxChangesPerTransaction`.
    private func takeBatch() -> [Entry] {
        var batch: [Entry] = []
        var rest: [Entry] = []
        var touched: Set<String> = []
        for entry in queue {
            if batch.count < Self.maxChangesPerTransaction, touched.isDisjoint(with: entry.change.itemIDs) {
                touched.formUnion(entry.change.itemIDs)
                batch.append(entry)
            } else {
                rest.append(entry)
            }
        }
        queue = rest
        return batch
    }

    private func run(_ batch: [Entry]) async {
        var pending = batch
        var contended = 0
        let started = ContinuousClock.now
        for _ in 0..<Self.maxRounds where ContinuousClock.now - started < Self.maxContentionTime {
            let expected: UInt64
            if let knownSequence {
                expected = knownSequence
            } else {
                do {
                    expected = try await readSequence()
                } catch {
                    return finish(pending, .failed(ErrorMapping.repositoryError(error, table: table)))
                }
            }

            // [change 0 writes…, event S+1, change 1 writes…, event S+2, …, counter]
            var items: [TransactWriteItem] = []
            var writeRanges: [Range<Int>] = []
            var eventIndices: [Int] = []
            for (offset, entry) in pending.enumerated() {
                let start = items.count
                items += entry.change.writes
                writeRanges.append(start..<items.count)
                eventIndices.append(items.count)
                items.append(.put(PutItemInput(
                    tableName: table,
                    item: EventItem.item(entry.change.event, sequence: expected + UInt64(offset) + 1),
                    conditionExpression: "attribute_not_exists(#id)",
                    expressionAttributeNames: ["#id": ItemLayout.id])))
            }
            let counterIndex = items.count
            items.append(counterUpdate(from: expected, to: expected + UInt64(pending.count)))

            do {
                try await client.transactWriteItems(items, clientRequestToken: UUID().uuidString)
                knownSequence = expected + UInt64(pending.count)
                for (offset, entry) in pending.enumerated() {
                    entry.continuation.resume(returning: .committed(sequence: expected + UInt64(offset) + 1))
                }
                return
            } catch DynamoDBError.transactionCanceled(let reasons) {
                Self.count(reasons)
                let contention = Contention(reasons)
                guard reasons.count == items.count else {
                    knownSequence = nil
                    contended += 1
                    await pause(contended, contention)
                    continue
                }
                var remaining: [Entry] = []
                for (offset, entry) in pending.enumerated() {
                    if let failed = writeRanges[offset].first(where: { reasons[$0] == "ConditionalCheckFailed" }) {
                        entry.continuation.resume(returning: .conditionFailed(index: failed - writeRanges[offset].lowerBound))
                    } else {
                        remaining.append(entry)
                    }
                }
                let someChangeFailed = remaining.count < pending.count
                pending = remaining
                if reasons[counterIndex] != "None" || eventIndices.contains(where: { reasons[$0] != "None" }) {
                    knownSequence = nil  // another writer moved the counter
                }
                if pending.isEmpty { return }
                if !someChangeFailed {
                    // Lost the race for the counter, conflicted with another transaction, or throttled.
                    contended += 1
                    await pause(contended, contention)
                }
            } catch {
                knownSequence = nil
                return finish(pending, .failed(ErrorMapping.repositoryError(error, table: table)))
            }
        }
        finish(pending, .failed(.unavailable("table \(table): the event sequence stayed contended (throttled, conflicting or raced) for \(Self.maxRounds) attempts or \(Self.maxContentionTime); retry")))
    }

    private func finish(_ entries: [Entry], _ outcome: CommitOutcome) {
        for entry in entries { entry.continuation.resume(returning: outcome) }
    }

    /// After the `contended`-th miss in a row. A lost race pauses not at all after the
    /// first (the counter was just read afresh), then up to 2, 4, 8 … 50 ms, which keeps
    /// competing servers out of lockstep; a conflict or throttling backs off further.
    private func pause(_ contended: Int, _ contention: Contention) async {
        guard contended > 1 || contention != .lostRace else { return }
        try? await Task.sleep(for: contention.backoff.delay(forAttempt: contended))
    }

    /// Why a transaction was cancelled when no change's own condition failed.
    enum Contention: Sendable, Hashable {
        /// Another writer moved the counter first: retry at once with the new value.
        case lostRace
        /// DynamoDB ran a conflicting transaction on one of the items at the same time.
        case conflict
        /// The table or partition is over its capacity: slow down, for seconds if need be.
        case throttled

        init(_ reasons: [String]) {
            if reasons.contains(where: Self.throttlingReasons.contains) {
                self = .throttled
            } else if reasons.contains("TransactionConflict") {
                self = .conflict
            } else {
                self = .lostRace
            }
        }

        /// Full jitter: lost races up to 50 ms (0.5 ms × 2^n), conflicts up to 1 s, throttling up to 5 s.
        var backoff: Backoff {
            switch self {
            case .lostRace: Backoff(base: .microseconds(500), max: .milliseconds(50), jitter: .full)
            case .conflict: Backoff(base: .milliseconds(5), max: .seconds(1), jitter: .full)
            case .throttled: Backoff(base: .milliseconds(50), max: .seconds(5), jitter: .full)
            }
        }

        /// The cancellation reasons DynamoDB gives for capacity.
        static let throttlingReasons: Set<String> = ["ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"]
    }

    /// Every reason but `None`, by reason; throttling also as a throttle of the operation.
    private static func count(_ reasons: [String]) {
        for reason in reasons where reason != "None" {
            Counter(label: "dynamodb_transaction_cancellations_total", dimensions: [("reason", reason)]).increment()
            if Contention.throttlingReasons.contains(reason) {
                Counter(label: "dynamodb_throttles_total", dimensions: [("operation", "TransactWriteItems")]).increment()
            }
        }
    }

    private func readSequence() async throws -> UInt64 {
        let item = try await client.getItem(GetItemInput(
            tableName: table, key: ItemLayout.key(ItemLayout.sequenceCounterID), consistentRead: true))
        return try ItemLayout.count(ItemLayout.lastSequence, in: item, id: ItemLayout.sequenceCounterID)
    }

    private func counterUpdate(from expected: UInt64, to next: UInt64) -> TransactWriteItem {
        var values: ExpressionAttributeValues = [":next": .number(next)]
        let condition: String
        if expected == 0 {
            condition = "attribute_not_exists(#seq)"
        } else {
            condition = "#seq = :expected"
            values[":expected"] = .number(expected)
        }
        return .update(UpdateItemInput(
            tableName: table,
            key: ItemLayout.key(ItemLayout.sequenceCounterID),
            updateExpression: "SET #seq = :next",
            conditionExpression: condition,
            expressionAttributeNames: ["#seq": ItemLayout.lastSequence],
            expressionAttributeValues: values))
    }
}
