import TeamsDomain
import XCTest

@testable import TeamsSearchIndex

final class GramPostingsTests: XCTestCase {
    func testAKeyIsListedOnceUnderEachDistinctGram() {
        let grams = GramPostings().buckets(of: Array("abab".utf8))
        // ab, ba; aba, bab: "ab" occurs twice and is listed once.
        XCTAssertEqual(grams.count, 4)
        XCTAssertEqual(Set(grams).count, grams.count)
    }

    func testGramsOfDifferentSizesNeverShareACode() {
        XCTAssertNotEqual(GramPostings.gram(Array("ab".utf8)[...]), GramPostings.gram(Array("\0ab".utf8)[...]))
    }

    func testTheRarestListHoldsEveryMatchAndEmptyListsGo() {
        let ids = TeamIDGenerator.forThisProcess()
        let keys = [SearchKey(nameKey: "ajax", id: ids.next()), SearchKey(nameKey: "jaxx", id: ids.next())]
        var postings = GramPostings()
        for (slot, key) in keys.enumerated() { postings.add(posting(slot, key), Array(key.nameKey.utf8), keys: keys) }
        XCTAssertEqual(postings.rarestList(for: Array("jax".utf8)).postings.map(\.slot), [0, 1])
        XCTAssertEqual(postings.rarestList(for: Array("ajax".utf8)).postings.map(\.slot), [0])
        XCTAssertTrue(postings.rarestList(for: Array("ajq".utf8)).isEmpty)
        postings.remove(posting(0, keys[0]), Array(keys[0].nameKey.utf8), keys: keys)
        XCTAssertEqual(postings.lists.count, GramPostings().buckets(of: Array("jaxx".utf8)).count)
    }

    func testThereAreNoMoreListsThanBuckets() {
        let ids = TeamIDGenerator.forThisProcess()
        let keys = (0..<200).map { SearchKey(nameKey: "team \($0) \(String(UnicodeScalar(UInt8(65 + $0 % 26))))", id: ids.next()) }
        var postings = GramPostings(bucketBits: 3)
        for (slot, key) in keys.enumerated() { postings.add(posting(slot, key), Array(key.nameKey.utf8), keys: keys) }
        XCTAssertLessThanOrEqual(postings.lists.count, 8)
    }

    func testAKeyLongerThanTheListedBytesIsListedOnce() {
        let key = SearchKey(nameKey: String(repeating: "x", count: GramPostings.listedKeyBytes + 1), id: TeamIDGenerator.forThisProcess().next())
        var postings = GramPostings()
        postings.add(posting(0, key), Array(key.nameKey.utf8), keys: [key])
        XCTAssertTrue(postings.lists.isEmpty)
        XCTAssertEqual(postings.unlisted.postings.map(\.slot), [0])
        postings.remove(posting(0, key), Array(key.nameKey.utf8), keys: [key])
        XCTAssertTrue(postings.unlisted.isEmpty)
    }

    private func posting(_ slot: Int, _ key: SearchKey) -> Posting { Posting(slot: UInt32(slot), nameKey: Array(key.nameKey.utf8)) }
}
