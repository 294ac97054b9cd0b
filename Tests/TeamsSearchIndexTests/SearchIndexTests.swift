import TeamsDomain
import TeamsSupport
import XCTest

@testable import TeamsSearchIndex

/// `SearchIndex` against the obvious answer: filter every team, sort, take the page.
final class SearchIndexTests: XCTestCase {
    func testPagesMatchSortingEveryTeamThroughInsertsRenamesAndRemovals() {
        let names = [
            "Ajax", "ajax b", "Benfica", "PSV", "psv", "Porto", "Bayern", "%_x", "a_b", "Ba", "é", "Élan café",
            String(repeating: "long name ", count: 6),  // past listedKeyBytes: listed once
            String(repeating: "ajax ", count: 11), "cafe\u{301}", "café",
        ]
        var model = Model(seed: 7)
        for step in 0..<1500 { model.step(names: names, suffix: "\(step % 7)") }
        XCTAssertEqual(model.index.count, model.teams.count)
        for term in ["", "a", "aj", "ajax", "b", "psv", "%", "_", "zz", "é", "élan c", "long", "name long", "x 1", "ajax ajax", "cafe", "e\u{301}"] {
            XCTAssertEqual(model.pagedIDs(term, pageSize: 7), model.expectedIDs(term), "term \(term)")
        }
    }

    /// With two gram lists, every list holds other grams' keys: pages are the same.
    func testGramsSharingListsPageLikeTheSortedAnswer() {
        var model = Model(seed: 5, index: SearchIndex(gramBuckets: 1))
        for step in 0..<1500 { model.step(names: ["Ajax", "ajax b", "PSV", "Porto", "é", "%_x", "ab"], suffix: "\(step % 5)") }
        for term in ["", "a", "aj", "ajax", "ps", "psv", "x", "é", "%_", "b1", "zz"] {
            XCTAssertEqual(model.pagedIDs(term, pageSize: 7), model.expectedIDs(term), "term \(term)")
        }
    }

    /// More keys than a chunk holds, so the order splits and merges chunks on the way.
    func testManyKeysSharingGramsPageLikeTheSortedAnswer() {
        var model = Model(seed: 11)
        // Keys sharing their first 8 bytes are ordered by reading them.
        let terms = ["", "b", "1", "b1", "99", "b12", "x", "q", "same", "prefix 1", "x 2"]
        for step in 0..<5000 {
            model.step(names: ["b\(step % 997)", "b1\(step % 13)", "x", "same prefix \(step % 31)"], suffix: "")
            // Searches between changes read lists that hold keys not yet in order.
            if step % 701 == 700 {
                let term = terms[step % terms.count]
                XCTAssertEqual(model.pagedIDs(term, pageSize: 50), model.expectedIDs(term), "term \(term) at step \(step)")
            }
        }
        XCTAssertGreaterThan(model.index.count, OrderedPostings.chunkCapacity * 2)
        for term in terms {
            XCTAssertEqual(model.pagedIDs(term, pageSize: 50), model.expectedIDs(term), "term \(term)")
        }
    }

    func testAnIndexBuiltInOneGoSearchesLikeOneBuiltKeyByKey() {
        let ids = TeamIDGenerator.forThisProcess()
        let teams = (0..<2000).map { Team(id: ids.next(), name: "team \($0 % 300)") }
        var built = SearchIndex(teams.map { ($0.id, $0.nameKey) })
        var grown = SearchIndex()
        for team in teams.reversed() { grown.set(team.id, nameKey: team.nameKey) }
        for term in ["", "team", "1", "29", "m 2"] {
            var cursor: SearchCursor?
            for _ in 0..<3 {
                let page = built.ids(matching: term, after: cursor, count: 25)
                XCTAssertEqual(page, grown.ids(matching: term, after: cursor, count: 25), "term \(term)")
                guard let last = page.last, let team = teams.first(where: { $0.id == last }) else { break }
                cursor = SearchCursor(nameKey: team.nameKey, id: team.id)
            }
        }
    }

    func testRemovingAndRenamingLeaveNoTrace() {
        let ids = TeamIDGenerator.forThisProcess()
        let (a, b) = (ids.next(), ids.next())
        var index = SearchIndex()
        index.set(a, nameKey: "ajax")
        index.set(b, nameKey: "ajax")
        index.set(a, nameKey: "psv")
        XCTAssertEqual(index.ids(matching: "aj", after: nil, count: 10), [b])
        XCTAssertEqual(index.ids(matching: "ps", after: nil, count: 10), [a])
        index.remove(b)
        index.remove(b)
        XCTAssertEqual(index.ids(matching: "", after: nil, count: 10), [a])
        index.remove(a)
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(index.ids(matching: "", after: nil, count: 10), [])
    }

    func testNoCountOrAnUnlistedGramFindsNothing() {
        var index = SearchIndex()
        index.set(TeamIDGenerator.forThisProcess().next(), nameKey: "ajax")
        XCTAssertEqual(index.ids(matching: "", after: nil, count: 0), [])
        XCTAssertEqual(index.ids(matching: "a", after: nil, count: -1), [])
        XCTAssertEqual(index.ids(matching: "a\0", after: nil, count: 5), [])
    }

    func testContainsIsAnExactByteTest() {
        XCTAssertTrue(SearchIndex.contains("ajax amsterdam", Array("x am".utf8)))
        XCTAssertTrue(SearchIndex.contains("ajax", Array("ajax".utf8)))
        XCTAssertTrue(SearchIndex.contains("a%_b", Array("%_".utf8)))
        XCTAssertFalse(SearchIndex.contains("aab", Array("abb".utf8)))
        XCTAssertFalse(SearchIndex.contains("aj", Array("ajax".utf8)))
        XCTAssertFalse(SearchIndex.contains("axb", Array("a_b".utf8)), "_ is no wildcard")
        // An accent written as a combining mark is found by its base letter, as SQLite's instr finds it.
        XCTAssertTrue(SearchIndex.contains("cafe\u{301}", Array("cafe".utf8)))
        XCTAssertTrue(SearchIndex.contains("élan", Array("é".utf8)))
    }
}

/// Teams changed at random, mirrored in a dictionary and an index.
private struct Model {
    var index: SearchIndex
    var teams: [TeamID: Team] = [:]
    /// The ids of `teams`, to draw from at random.
    var ids: [TeamID] = []
    var random: SplitMix64
    let generator = TeamIDGenerator.forThisProcess()

    init(seed: UInt64, index: SearchIndex = SearchIndex()) {
        self.index = index
        random = SplitMix64(seed: seed)
    }

    mutating func step(names: [String], suffix: String) {
        switch random.below(10) {
        case 0..<6:
            let team = Team(id: generator.next(), name: names[random.below(names.count)] + suffix)
            teams[team.id] = team
            ids.append(team.id)
            index.set(team.id, nameKey: team.nameKey)
        case 6..<8:
            guard !ids.isEmpty else { return }
            var team = teams[ids[random.below(ids.count)]]!
            team.name = names[random.below(names.count)]
            teams[team.id] = team
            index.set(team.id, nameKey: team.nameKey)
        default:
            guard !ids.isEmpty else { return }
            ids.swapAt(random.below(ids.count), ids.count - 1)
            let id = ids.removeLast()
            teams[id] = nil
            index.remove(id)
        }
    }

    func expectedIDs(_ term: String) -> [TeamID] {
        teams.values.filter { SearchIndex.contains($0.nameKey, Array(term.utf8)) }.sorted(by: Team.searchOrder).map(\.id)
    }

    mutating func pagedIDs(_ term: String, pageSize: Int) -> [TeamID] {
        var paged: [TeamID] = []
        var cursor: SearchCursor?
        while true {
            let page = index.ids(matching: term, after: cursor, count: pageSize)
            paged += page
            guard page.count == pageSize, let last = page.last, let team = teams[last] else { return paged }
            cursor = SearchCursor(nameKey: team.nameKey, id: team.id)
        }
    }
}
