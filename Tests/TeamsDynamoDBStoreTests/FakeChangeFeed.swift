import AWSDynamoDB
import Synchronization
@testable import TeamsDynamoDBStore

/// A `ChangeFeed` with as many shards as a test wants: records are appended to a named
/// shard, a shard splits into children (closing it), and reads return at most
/// `pageSize` records, so the sequencer interleaves shards as it would on DynamoDB.
final class FakeChangeFeed: ChangeFeed {
    let streamARN = "arn:fake:stream"
    let pageSize: Int

    private struct FakeShard {
        var shard: Shard
        var records: [StreamRecord] = []
        var closed = false
    }

    private struct State {
        var shards: [FakeShard] = []
        var nextSequenceNumber = 1000
        /// The order `shards()` lists them in, e.g. children before parents.
        var listing: [String]?
    }

    private let state = Mutex(State())

    init(pageSize: Int = 1) {
        self.pageSize = pageSize
    }

    func open(_ shardID: String, parent: String? = nil) {
        state.withLock { $0.shards.append(FakeShard(shard: Shard(shardID: shardID, parentShardID: parent))) }
    }

    func append(to shardID: String, id: String, old: [String: AttributeValue]?, new: [String: AttributeValue]?) {
        state.withLock { state in
            let index = state.shards.firstIndex { $0.shard.shardID == shardID }!
            precondition(!state.shards[index].closed, "shard \(shardID) is closed")
            state.nextSequenceNumber += 1
            let name = old == nil ? "INSERT" : new == nil ? "REMOVE" : "MODIFY"
            state.shards[index].records.append(StreamRecord(
                eventName: name, keys: ["id": .s(id)], newImage: new, oldImage: old, sequenceNumber: String(state.nextSequenceNumber)))
        }
    }

    /// Closes `shardID` and opens `children` with it as their parent.
    func split(_ shardID: String, into children: [String]) {
        state.withLock { state in
            let index = state.shards.firstIndex { $0.shard.shardID == shardID }!
            state.shards[index].closed = true
            state.shards[index].shard.endingSequenceNumber = state.shards[index].records.last?.sequenceNumber ?? "0"
            for child in children { state.shards.append(FakeShard(shard: Shard(shardID: child, parentShardID: shardID))) }
        }
    }

    func list(inOrder shardIDs: [String]) {
        state.withLock { $0.listing = shardIDs }
    }

    func shards() async throws -> (stream: String, shards: [Shard]) {
        state.withLock { state in
            guard let listing = state.listing else { return (streamARN, state.shards.map(\.shard)) }
            return (streamARN, listing.compactMap { id in state.shards.first { $0.shard.shardID == id }?.shard })
        }
    }

    func records(of shard: Shard, after checkpoint: String?) async throws -> ChangeBatch {
        state.withLock { state in
            let fake = state.shards.first { $0.shard.shardID == shard.shardID }!
            let start = checkpoint.flatMap { checkpoint in fake.records.firstIndex { $0.sequenceNumber == checkpoint }.map { $0 + 1 } } ?? 0
            let page = Array(fake.records[start...].prefix(pageSize))
            return ChangeBatch(records: page, ended: fake.closed && start + page.count == fake.records.count)
        }
    }
}
