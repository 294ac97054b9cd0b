import Synchronization
import TeamsDomain

/// The teams most recently read or written, kept in memory up to an estimate of
/// their size, the least recently used evicted first.
///
/// Coherent because one process owns the database file (`PATH.lock`) and a change
/// reaches the cache only after its transaction committed, before the caller is
/// answered. A read that missed stores what it read only if no change happened
/// meanwhile (`generation`), so it cannot put back a team a concurrent write
/// replaced or deleted.
///
/// Teams are spread over shards by id, each with its own lock and recency list, so
/// that the event loops' reads and the commits' writes rarely wait for one another.
final class TeamCache: Sendable {
    private struct Entry {
        var team: Team
        var bytes: Int
        /// Neighbours in recency order, as indices into `entries`; -1 at the ends.
        var newer: Int
        var older: Int
    }

    private struct State {
        var index: [TeamID: Int] = [:]
        var entries: [Entry] = []
        var freeSlots: [Int] = []
        var newest = -1
        var oldest = -1
        var bytes = 0
    }

    private final class Shard: Sendable {
        let state = Mutex(State())
    }

    let capacityBytes: Int
    /// Each shard's part of `capacityBytes`.
    private let shardCapacity: Int
    private let shards: [Shard]
    private let changes = Atomic<UInt64>(0)

    /// A shard holds at least this much, so a small cache stays one recency list.
    static let minimumShardBytes = 64 << 10
    static let maximumShards = 16

    /// - Parameter capacityBytes: more than 0.
    init(capacityBytes: Int) {
        precondition(capacityBytes > 0)
        self.capacityBytes = capacityBytes
        let count = min(Self.maximumShards, max(1, capacityBytes / Self.minimumShardBytes))
        shardCapacity = capacityBytes / count
        shards = (0..<count).map { _ in Shard() }
    }

    private func shard(_ id: TeamID) -> Shard {
        shards.count == 1 ? shards[0] : shards[Int(UInt(bitPattern: id.hashValue) % UInt(shards.count))]
    }

    /// The cached team, now the most recently used.
    func team(_ id: TeamID) -> Team? {
        shard(id).state.withLock { state in
            guard let slot = state.index[id] else { return nil }
            Self.moveToNewest(slot, &state)
            return state.entries[slot].team
        }
    }

    /// Changes so far; a read that misses takes it before reading the database.
    var generation: UInt64 { changes.load(ordering: .acquiring) }

    /// Stores a team read from the database, unless a change happened since `generation`.
    func insert(read team: Team, ifUnchangedSince generation: UInt64) {
        shard(team.id).state.withLock { state in
            // Under the shard's lock: a change counts itself before taking it to store its team.
            guard changes.load(ordering: .acquiring) == generation else { return }
            Self.put(team, &state, capacity: shardCapacity)
        }
    }

    /// A committed change left `team` as it is now.
    func insert(written team: Team) {
        changes.add(1, ordering: .acquiringAndReleasing)
        shard(team.id).state.withLock { state in Self.put(team, &state, capacity: shardCapacity) }
    }

    /// A committed change deleted the team, or its state is unknown after a failed write.
    func remove(_ id: TeamID) {
        changes.add(1, ordering: .acquiringAndReleasing)
        shard(id).state.withLock { state in
            if let slot = state.index[id] { Self.drop(slot, &state) }
        }
    }

    /// Teams and estimated bytes held now.
    var usage: (teams: Int, bytes: Int) {
        shards.reduce((0, 0)) { total, shard in
            let (teams, bytes) = shard.state.withLock { ($0.index.count, $0.bytes) }
            return (total.0 + teams, total.1 + bytes)
        }
    }

    /// What a cached team costs: its strings and a fixed overhead per team and player.
    static func estimatedBytes(of team: Team) -> Int {
        128 + team.name.utf8.count + team.players.reduce(0) { $0 + 40 + $1.name.utf8.count }
    }

    // MARK: The recency list

    private static func put(_ team: Team, _ state: inout State, capacity: Int) {
        let bytes = estimatedBytes(of: team)
        if let slot = state.index[team.id] {
            guard bytes <= capacity else { return drop(slot, &state) }
            // A changed team takes its old entry's place, and becomes the newest.
            state.bytes += bytes - state.entries[slot].bytes
            state.entries[slot].team = team
            state.entries[slot].bytes = bytes
            moveToNewest(slot, &state)
            while state.bytes > capacity, state.oldest != slot { drop(state.oldest, &state) }
            return
        }
        guard bytes <= capacity else { return }
        while state.bytes + bytes > capacity, state.oldest >= 0 { drop(state.oldest, &state) }
        let entry = Entry(team: team, bytes: bytes, newer: -1, older: state.newest)
        let slot: Int
        if let free = state.freeSlots.popLast() {
            state.entries[free] = entry
            slot = free
        } else {
            state.entries.append(entry)
            slot = state.entries.count - 1
        }
        if state.newest >= 0 { state.entries[state.newest].newer = slot }
        state.newest = slot
        if state.oldest < 0 { state.oldest = slot }
        state.index[team.id] = slot
        state.bytes += bytes
    }

    private static func drop(_ slot: Int, _ state: inout State) {
        unlink(slot, &state)
        let entry = state.entries[slot]
        state.index[entry.team.id] = nil
        state.bytes -= entry.bytes
        // Keep the slot for reuse; its old team is released.
        state.entries[slot].team = Team(id: entry.team.id, name: "")
        state.freeSlots.append(slot)
    }

    private static func moveToNewest(_ slot: Int, _ state: inout State) {
        guard state.newest != slot else { return }
        unlink(slot, &state)
        state.entries[slot].older = state.newest
        state.entries[slot].newer = -1
        if state.newest >= 0 { state.entries[state.newest].newer = slot }
        state.newest = slot
        if state.oldest < 0 { state.oldest = slot }
    }

    private static func unlink(_ slot: Int, _ state: inout State) {
        let (newer, older) = (state.entries[slot].newer, state.entries[slot].older)
        if newer >= 0 { state.entries[newer].older = older } else { state.newest = older }
        if older >= 0 { state.entries[older].newer = newer } else { state.oldest = newer }
        state.entries[slot].newer = -1
        state.entries[slot].older = -1
    }
}
