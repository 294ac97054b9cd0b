import TeamsSupport
import XCTest

final class SplitMix64Tests: XCTestCase {
    func testTheSequenceIsTheReferenceOne() {
        // The first outputs for seed 1234567 of the reference C (Vigna's splitmix64.c).
        var random = SplitMix64(seed: 1_234_567)
        XCTAssertEqual((0..<3).map { _ in random.next() }, [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    func testTheSameSeedGivesTheSameSequenceAndAnotherDiffers() {
        var first = SplitMix64(seed: 7), second = SplitMix64(seed: 7), other = SplitMix64(seed: 8)
        let a = (0..<16).map { _ in first.next() }
        XCTAssertEqual(a, (0..<16).map { _ in second.next() })
        XCTAssertNotEqual(a, (0..<16).map { _ in other.next() })
    }

    func testBelowStaysInRangeAndReachesEveryValue() {
        var random = SplitMix64(seed: 0)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let value = random.below(7)
            XCTAssertTrue((0..<7).contains(value))
            seen.insert(value)
        }
        XCTAssertEqual(seen.count, 7)
    }
}
