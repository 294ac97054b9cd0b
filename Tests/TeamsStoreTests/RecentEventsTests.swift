import TeamsDomain
@testable import TeamsSQLiteStore
import XCTest

final class RecentEventsTests: XCTestCase {
    private func event(_ sequence: UInt64) -> TeamEvent {
        TeamEvent(sequence: sequence, teamID: TeamIDGenerator.forThisProcess().next(), version: 1, change: .teamDeleted, occurredAt: 0)
    }

    func testAnswersOnlyFromItsFirstEventOn() {
        var recent = RecentEvents()
        XCTAssertNil(recent.events(after: 0, limit: 10), "empty: the file answers")
        for sequence: UInt64 in 41...50 { recent.append(event(sequence)) }
        XCTAssertNil(recent.events(after: 39, limit: 10), "event 40 may exist, and is not held")
        XCTAssertEqual(recent.events(after: 40, limit: 3)?.map(\.sequence), [41, 42, 43])
        XCTAssertEqual(recent.events(after: 47, limit: 10)?.map(\.sequence), [48, 49, 50])
        XCTAssertEqual(recent.events(after: 50, limit: 10)?.map(\.sequence), [])
        XCTAssertEqual(recent.events(after: .max, limit: 10)?.map(\.sequence), [])
        XCTAssertEqual(recent.events(after: 45, limit: 0)?.map(\.sequence), [])
        XCTAssertEqual(recent.events(after: 45, limit: -1)?.map(\.sequence), [])
    }

    func testKeepsAtLeastItsCapacityOfTheLatest() {
        var recent = RecentEvents()
        let total = UInt64(3 * RecentEvents.capacity + 17)
        for sequence in 1...total { recent.append(event(sequence)) }
        let kept = recent.events(after: total - UInt64(RecentEvents.capacity), limit: .max)
        XCTAssertEqual(kept?.count, RecentEvents.capacity)
        XCTAssertEqual(kept?.last?.sequence, total)
        XCTAssertNil(recent.events(after: 0, limit: 10), "the oldest are gone")
    }

    func testRemoveAllSendsReadsToTheFileUntilNewEvents() {
        var recent = RecentEvents()
        for sequence: UInt64 in 1...5 { recent.append(event(sequence)) }
        recent.removeAll()
        XCTAssertNil(recent.events(after: 0, limit: 10))
        recent.append(event(6))
        XCTAssertNil(recent.events(after: 4, limit: 10))
        XCTAssertEqual(recent.events(after: 5, limit: 10)?.map(\.sequence), [6])
    }
}
