import TeamsDomain
import XCTest

@testable import TeamsMemoryStore

/// `SearchIndex` against the obvious answer: filter every team, sort, take the page.
final class SearchIndexTests: XCTestCase {
    func testPagesMatchSortingEveryTeamThroughInsertsRenamesAndRemovals() {
        let ids = TeamIDGenerator.forThisProcess()
        var random = SystemRandomNumberGenerator()
        let names = ["Ajax", "ajax b", "Benfica", "PSV", "psv", "Porto", "Bayern", "%_x", "a_b", "Ba"]
        var teams: [TeamID: Team] = [:]
        var index = SearchIndex()
        for step in 0..<600 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let team = Team(id: ids.next(), name: names.randomElement(using: &random)! + "\(step % 7)")
                teams[team.id] = team
                index.insert(team)
            case 6..<8:
                guard var team = teams.values.randomElement(using: &random) else { continue }
                index.remove(team)
                team.name = names.randomElement(using: &random)!
                teams[team.id] = team
                index.insert(team)
            default:
                guard let team = teams.values.randomElement(using: &random) else { continue }
                index.remove(team)
                teams[team.id] = nil
            }
        }
        XCTAssertEqual(index.keys.count, teams.count)
        for term in ["", "a", "ajax", "b", "psv", "%", "_", "zz"] {
            let expected = teams.values.filter { term.isEmpty || $0.nameKey.contains(term) }.sorted(by: Team.searchOrder).map(\.id)
            var paged: [TeamID] = []
            var cursor: SearchCursor?
            while true {
                let page = index.ids(matching: term, after: cursor, count: 7)
                paged += page
                guard page.count == 7, let last = page.last, let team = teams[last] else { break }
                cursor = SearchCursor(nameKey: team.nameKey, id: team.id)
            }
            XCTAssertEqual(paged, expected, "term \(term)")
        }
    }
}

extension SearchIndexTests {
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
