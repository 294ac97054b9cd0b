import TeamsDomain
import TeamsSupport
import XCTest

@testable import TeamsSearchIndex

/// `OrderedPostings` against a sorted array, through the growth from one chunk to
/// many and the shrinking back.
final class OrderedPostingsTests: XCTestCase {
    private let ids = TeamIDGenerator.forThisProcess()

    func testInsertionsAndRemovalsKeepSearchOrderAcrossChunks() {
        // Names sharing their first 8 bytes, so that keys are read to order them.
        let keys = (0..<1000).map { SearchKey(nameKey: "ajax amsterdam \($0 % 97)", id: ids.next()) }
        var random = SplitMix64(seed: 3)
        var list = OrderedPostings()
        var model: [Int] = []
        for slot in (0..<keys.count).shuffled(using: &random) {
            list.insert(posting(slot, keys), keys: keys)
            model.append(slot)
        }
        XCTAssertGreaterThan(list.chunkCount, 2)
        assertOrder(list, model, keys)
        for slot in model.shuffled(using: &random) {
            list.remove(posting(slot, keys), keys: keys)
            model.removeAll { $0 == slot }
            if model.count % 97 == 0 { assertOrder(list, model, keys) }
        }
        XCTAssertTrue(list.isEmpty)
        XCTAssertEqual(list.chunkCount, 1, "emptied chunks go")
    }

    func testRemovingAPostingThatIsNotThereChangesNothing() {
        let keys = (0..<3).map { SearchKey(nameKey: "psv \($0)", id: ids.next()) }
        var list = OrderedPostings()
        list.insert(posting(0, keys), keys: keys)
        list.insert(posting(2, keys), keys: keys)
        list.remove(posting(1, keys), keys: keys)
        XCTAssertEqual(list.postings.map(\.slot), [0, 2])
        XCTAssertEqual(list.count, 2)
    }

    func testAppendingInOrderFillsChunksAsInsertingDoes() {
        let keys = (0..<300).map { SearchKey(nameKey: "team " + String(1000 + $0), id: ids.next()) }
        var appended = OrderedPostings()
        for slot in keys.indices { appended.append(posting(slot, keys)) }
        let built = OrderedPostings(sorted: keys.indices.map { posting($0, keys) })
        XCTAssertEqual(appended.postings.map(\.slot), built.postings.map(\.slot))
        XCTAssertEqual(appended.chunkCount, 3)
        assertOrder(appended, Array(keys.indices), keys)
    }

    /// A list built from sorted postings takes insertions and removals like any other.
    func testAListBuiltSortedChangesInOrder() {
        let keys = (0..<400).map { SearchKey(nameKey: "team " + String(1000 + $0), id: ids.next()) }
        var list = OrderedPostings(sorted: keys.indices.filter { $0 % 2 == 0 }.map { posting($0, keys) })
        var model = keys.indices.filter { $0 % 2 == 0 }
        for slot in keys.indices where slot % 2 == 1 {
            list.insert(posting(slot, keys), keys: keys)
            model.append(slot)
        }
        assertOrder(list, model, keys)
        for slot in keys.indices where slot % 3 == 0 {
            list.remove(posting(slot, keys), keys: keys)
            model.removeAll { $0 == slot }
        }
        assertOrder(list, model, keys)
    }

    /// Postings added out of order are put in order once enough wait, in one merge for a
    /// short list and one by one for a long one, and before a read; a removal finds them
    /// either way.
    func testAddedPostingsArePutInOrderAndRemovedLikeInsertedOnes() {
        let keys = (0..<3000).map { SearchKey(nameKey: "ajax amsterdam \($0 % 89)", id: ids.next()) }
        var random = SplitMix64(seed: 5)
        var list = OrderedPostings()
        var model: [Int] = []
        var orderedOnTheirOwn = 0
        for (added, slot) in (0..<keys.count).shuffled(using: &random).enumerated() {
            list.add(posting(slot, keys), keys: keys)
            model.append(slot)
            if list.isOrdered { orderedOnTheirOwn += 1 }
            if added % 211 == 210 {
                // Some removals while postings wait out of order, of waiting ones and of ordered ones.
                for removed in model.suffix(3) + model.prefix(2) {
                    list.remove(posting(removed, keys), keys: keys)
                    model.removeAll { $0 == removed }
                }
                XCTAssertEqual(list.count, model.count)
                list.putInOrder(keys: keys)
                assertOrder(list, model, keys)
            }
        }
        XCTAssertGreaterThan(orderedOnTheirOwn, 10, "enough added postings are put in order without a read")
        XCTAssertGreaterThan(list.chunkCount, 16, "long enough to take added postings one by one")
        list.putInOrder(keys: keys)
        assertOrder(list, model, keys)
    }

    /// The postings, walked from every cursor, are the model's keys in search order.
    private func assertOrder(_ list: OrderedPostings, _ model: [Int], _ keys: [SearchKey], line: UInt = #line) {
        let sorted = model.sorted { keys[$0] < keys[$1] }
        XCTAssertEqual(list.count, sorted.count, line: line)
        XCTAssertEqual(list.postings.map { Int($0.slot) }, sorted, line: line)
        for start in stride(from: 0, to: sorted.count, by: max(1, sorted.count / 7)) {
            let cursor = (posting: posting(sorted[start], keys), key: keys[sorted[start]])
            var walked: [Int] = []
            var position = list.position(after: cursor, keys: keys)
            while let next = list.posting(at: position) {
                walked.append(Int(next.slot))
                position = list.advance(position)
            }
            XCTAssertEqual(walked, Array(sorted[(start + 1)...]), "after \(keys[sorted[start]].nameKey)", line: line)
        }
    }

    private func posting(_ slot: Int, _ keys: [SearchKey]) -> Posting {
        Posting(slot: UInt32(slot), nameKey: Array(keys[slot].nameKey.utf8))
    }
}
