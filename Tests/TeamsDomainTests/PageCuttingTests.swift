import TeamsDomain
import XCTest

final class PageCuttingTests: XCTestCase {
    /// Five teams in search order: by lower-cased name, then by id.
    static let sorted: [Team] = [
        Team(id: TeamID("9m4e2mr0ui3e8a215n40")!, name: "ajax"),
        Team(id: TeamID("9m4e2mr0ui3e8a215n4g")!, name: "Ajax"),
        Team(id: TeamID("0000000000000000000g")!, name: "Feyenoord"),
        Team(id: TeamID("00000000000000000010")!, name: "PSV"),
        Team(id: TeamID("00000000000000000020")!, name: "Twente"),
    ]

    func testTheTestDataIsInSearchOrder() {
        XCTAssertEqual(Self.sorted.shuffled().sorted(by: Team.searchOrder), Self.sorted)
    }

    func testAPageWithMoreBehindItPointsAtItsLastTeam() {
        let page = TeamPage(cutting: Self.sorted, limit: 2)
        XCTAssertEqual(page.teams, Array(Self.sorted[0..<2]))
        XCTAssertEqual(page.next, SearchCursor(nameKey: "ajax", id: Self.sorted[1].id))
    }

    func testTheLastPageHasNoNext() {
        XCTAssertEqual(TeamPage(cutting: Self.sorted, limit: 5), TeamPage(teams: Self.sorted, next: nil))
        XCTAssertEqual(TeamPage(cutting: Self.sorted, limit: 50), TeamPage(teams: Self.sorted, next: nil))
        XCTAssertEqual(TeamPage(cutting: [], limit: 50), TeamPage(teams: [], next: nil))
    }

    /// A store may fetch just `limit + 1` teams: the extra one only says there is more.
    func testOneExtraTeamIsEnoughToSeeANextPage() {
        let page = TeamPage(cutting: Array(Self.sorted.prefix(4)), limit: 3)
        XCTAssertEqual(page.teams, Array(Self.sorted.prefix(3)))
        XCTAssertEqual(page.next, SearchCursor(nameKey: "feyenoord", id: Self.sorted[2].id))
    }

    func testTheNextPageStartsAfterTheCursor() throws {
        let first = TeamPage(cutting: Self.sorted, limit: 3)
        let cursor = try XCTUnwrap(first.next)
        let second = TeamPage(cutting: Self.sorted.filter(cursor.precedes), limit: 3)
        XCTAssertEqual(first.teams + second.teams, Self.sorted)
        XCTAssertNil(second.next)
    }

    func testALimitBelowOneGivesAnEmptyPage() {
        XCTAssertEqual(TeamPage(cutting: Self.sorted, limit: 0), TeamPage(teams: [], next: nil))
        XCTAssertEqual(TeamPage(cutting: Self.sorted, limit: -1), TeamPage(teams: [], next: nil))
    }
}
