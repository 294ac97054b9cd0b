import TeamsDomain
import XCTest

@testable import TeamsSearchIndex

final class GramPostingsTests: XCTestCase {
    func testAKeyIsListedOnceUnderEachDistinctGram() {
        let grams = GramPostings().buckets(of: Array("ababa".utf8))
        // aba, bab, and "ba" at the end: "aba" occurs twice and is listed once.
        XCTAssertEqual(grams.count, 3)
        XCTAssertEqual(Set(grams).count, grams.count)
        XCTAssertEqual(GramPostings().buckets(of: Array("ab".utf8)).count, 1, "a key of 2 bytes: its end gram")
        XCTAssertEqual(GramPostings().buckets(of: Array("a".utf8)), [], "a key of 1 byte: only the list of every key")
    }

    func testGramsOfDifferentSizesNeverShareACode() {
        XCTAssertNotEqual(GramPostings.gram(Array("ab".utf8)[...]), GramPostings.gram(Array("\0ab".utf8)[...]))
    }

    func testTheRarestListHoldsEveryMatchAndEmptyListsGo() {
        let ids = TeamIDGenerator.forThisProcess()
        let keys = [SearchKey(nameKey: "ajax", id: ids.next()), SearchKey(nameKey: "jaxx", id: ids.next())]
        var postings = GramPostings()
        for (slot, key) in keys.enumerated() { postings.add(posting(slot, key), Array(key.nameKey.utf8), keys: keys) }
        XCTAssertEqual(postings.rarestList(for: Array("jax".utf8), keys: keys).postings.map(\.slot), [0, 1])
        XCTAssertEqual(postings.rarestList(for: Array("ajax".utf8), keys: keys).postings.map(\.slot), [0])
        XCTAssertTrue(postings.rarestList(for: Array("ajq".utf8), keys: keys).isEmpty)
        postings.remove(posting(0, keys[0]), Array(keys[0].nameKey.utf8), keys: keys)
        XCTAssertEqual(postings.listCount, GramPostings().buckets(of: Array("jaxx".utf8)).count)
    }

    func testThereAreNoMoreListsThanBuckets() {
        let ids = TeamIDGenerator.forThisProcess()
        let keys = (0..<200).map { SearchKey(nameKey: "team \($0) \(String(UnicodeScalar(UInt8(65 + $0 % 26))))", id: ids.next()) }
        var postings = GramPostings(bucketBits: 3)
        for (slot, key) in keys.enumerated() { postings.add(posting(slot, key), Array(key.nameKey.utf8), keys: keys) }
        XCTAssertLessThanOrEqual(postings.listCount, 8)
    }

    func testAKeyLongerThanTheListedBytesIsListedOnce() {
        let key = SearchKey(nameKey: String(repeating: "x", count: GramPostings.listedKeyBytes + 1), id: TeamIDGenerator.forThisProcess().next())
        var postings = GramPostings()
        postings.add(posting(0, key), Array(key.nameKey.utf8), keys: [key])
        XCTAssertEqual(postings.listCount, 0)
        XCTAssertEqual(postings.unlisted.postings.map(\.slot), [0])
        postings.remove(posting(0, key), Array(key.nameKey.utf8), keys: [key])
        XCTAssertTrue(postings.unlisted.isEmpty)
    }

    private func posting(_ slot: Int, _ key: SearchKey) -> Posting { Posting(slot: UInt32(slot), nameKey: Array(key.nameKey.utf8)) }

    /// Every key holding a 2-byte term is in a list of a gram the term starts, or in the
    /// list of keys ending with it.
    func testTheListsOfAPairHoldEveryKeyHoldingIt() {
        let ids = TeamIDGenerator.forThisProcess()
        let names = ["ab", "xab", "abx", "xaby", "ba", "a", "b", "zzz", "aab", "abab", "é", "xé"]
        let keys = names.map { SearchKey(nameKey: $0, id: ids.next()) }
        var postings = GramPostings()
        for (slot, key) in keys.enumerated() { postings.add(posting(slot, key), Array(key.nameKey.utf8), keys: keys) }
        for pair in ["ab", "ba", "xa", "zz", "é", "qq"] {
            let listed = Set(postings.lists(startingWith: Array(pair.utf8), keys: keys).flatMap { $0.postings.map { Int($0.slot) } })
            let holding = Set(keys.indices.filter { SearchIndex.contains(keys[$0].nameKey, Array(pair.utf8)) })
            XCTAssertTrue(holding.isSubset(of: listed), "\(pair): \(holding.subtracting(listed).map { names[$0] })")
        }
    }
}
