import TeamsDomain
import XCTest

@testable import TeamsSQLiteStore

final class TeamCacheTests: XCTestCase {
    let ids = TeamIDGenerator.forThisProcess()

    func team(_ name: String, players: Int = 0, version: UInt64 = 1) -> Team {
        var team = Team(id: ids.next(), name: name)
        team.players = (0..<players).map { Player(name: "p\($0)", position: .midfielder) }
        team.version = version
        return team
    }

    func testEvictsTheLeastRecentlyUsedToStayWithinItsBytes() {
        let (a, b, c) = (team("A"), team("B"), team("C"))
        let each = TeamCache.estimatedBytes(of: a)
        let cache = TeamCache(capacityBytes: 2 * each)
        cache.insert(written: a)
        cache.insert(written: b)
        XCTAssertEqual(cache.team(a.id), a)  // A is now the most recent
        cache.insert(written: c)  // evicts B, the least recent
        XCTAssertEqual(cache.team(a.id), a)
        XCTAssertNil(cache.team(b.id))
        XCTAssertEqual(cache.team(c.id), c)
        XCTAssertEqual(cache.usage.teams, 2)
        XCTAssertLessThanOrEqual(cache.usage.bytes, cache.capacityBytes)
    }

    func testAReplacedTeamIsRecountedAndATooLargeOneIsNotKept() {
        let small = team("Small")
        let cache = TeamCache(capacityBytes: TeamCache.estimatedBytes(of: small) + 200)
        cache.insert(written: small)
        var grown = small
        grown.players = (0..<20).map { Player(name: "player\($0)", position: .defender) }
        grown.version = 2
        cache.insert(written: grown)
        XCTAssertNil(cache.team(small.id), "a team larger than the whole cache is not kept, nor its old version")
        XCTAssertEqual(cache.usage.bytes, 0)
        cache.insert(written: small)
        XCTAssertEqual(cache.usage.bytes, TeamCache.estimatedBytes(of: small))
    }

    /// A changed team takes its old entry's place as the newest: growing, it evicts the
    /// least recently used others, never itself.
    func testAChangedTeamBecomesTheNewestAndEvictsOthersToGrow() {
        let (a, b, c) = (team("A"), team("B"), team("C"))
        let each = TeamCache.estimatedBytes(of: a)
        let cache = TeamCache(capacityBytes: 3 * each + 20)  // a player costs more than 20
        for team in [a, b, c] { cache.insert(written: team) }
        var grown = a
        grown.players = [Player(name: "p", position: .goalkeeper)]
        grown.version = 2
        cache.insert(written: grown)
        XCTAssertNil(cache.team(b.id), "the least recently used goes to make room")
        XCTAssertEqual(cache.team(grown.id), grown)
        XCTAssertEqual(cache.team(c.id), c)
        XCTAssertEqual(cache.usage.teams, 2)
        XCTAssertEqual(cache.usage.bytes, TeamCache.estimatedBytes(of: grown) + each)
    }

    func testAReadDoesNotStoreWhatAConcurrentChangeReplaced() {
        let cache = TeamCache(capacityBytes: 1 << 20)
        let old = team("Old")
        var new = old
        new.name = "New"
        new.version = 2
        // A read misses and takes the generation, then a write commits before it stores.
        let generation = cache.generation
        cache.insert(written: new)
        cache.insert(read: old, ifUnchangedSince: generation)
        XCTAssertEqual(cache.team(old.id), new)
        // The same with a delete in between: the deleted team stays out.
        let before = cache.generation
        cache.remove(old.id)
        cache.insert(read: old, ifUnchangedSince: before)
        XCTAssertNil(cache.team(old.id))
        // With no change in between, the read is kept.
        cache.insert(read: old, ifUnchangedSince: cache.generation)
        XCTAssertEqual(cache.team(old.id), old)
    }

    func testManyTeamsThroughASmallCacheKeepTheListConsistent() {
        let teams = (0..<200).map { team("T\($0)", players: $0 % 7) }
        let cache = TeamCache(capacityBytes: 5_000)
        for (index, team) in teams.enumerated() {
            cache.insert(written: team)
            if index % 3 == 0 { _ = cache.team(teams[index / 2].id) }
            if index % 5 == 0 { cache.remove(teams[index / 3].id) }
            XCTAssertLessThanOrEqual(cache.usage.bytes, 5_000)
        }
        // What is cached is exactly what was last written for those ids.
        var found = 0
        for team in teams {
            if let cached = cache.team(team.id) {
                XCTAssertEqual(cached, team)
                found += 1
            }
        }
        XCTAssertEqual(found, cache.usage.teams)
        XCTAssertGreaterThan(found, 0)
    }
}

final class ShardedTeamCacheTests: XCTestCase {
    let ids = TeamIDGenerator.forThisProcess()

    /// Writes and reads from many tasks at once through a cache of several shards: each
    /// team read back is the last one written, and the whole stays within its bytes.
    func testConcurrentWritesAndReadsAcrossShards() async {
        let capacity = TeamCache.maximumShards * TeamCache.minimumShardBytes
        let cache = TeamCache(capacityBytes: capacity)
        let teams = (0..<4000).map { index in
            var team = Team(id: ids.next(), name: "T\(index)")
            team.players = (0..<(index % 30)).map { Player(name: "p\($0)", position: .defender) }
            return team
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: teams.count, by: 8) {
                        cache.insert(written: teams[index])
                        if let read = cache.team(teams[index / 2].id) { XCTAssertEqual(read, teams[index / 2]) }
                    }
                }
            }
        }
        let usage = cache.usage
        XCTAssertLessThanOrEqual(usage.bytes, capacity)
        XCTAssertGreaterThan(usage.teams, 1000, "the shards together hold most of what fits")
        var found = 0
        for team in teams {
            guard let cached = cache.team(team.id) else { continue }
            XCTAssertEqual(cached, team)
            found += 1
        }
        XCTAssertEqual(found, usage.teams)
    }
}
