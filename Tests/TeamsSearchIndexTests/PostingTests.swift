import TeamsDomain
import XCTest

@testable import TeamsSearchIndex

final class PostingTests: XCTestCase {
    func testPrefixesOrderKeysByTheirFirstEightBytes() {
        let names = ["", "a", "ab", "abc", "abcdefgh", "abcdefgz", "b", "\u{7F}", "é"]
        let prefixes = names.map { Posting(slot: 0, nameKey: Array($0.utf8)).prefix }
        XCTAssertEqual(prefixes, prefixes.sorted(), "bytes order as the prefixes do")
        XCTAssertEqual(
            Posting(slot: 0, nameKey: Array("abcdefgh1".utf8)).prefix, Posting(slot: 0, nameKey: Array("abcdefgh2".utf8)).prefix,
            "beyond 8 bytes, the keys decide")
    }

    /// A key that holds a term holds every bit of the term's signature.
    func testAKeyHoldingATermHoldsItsSignature() {
        for key in ["ajax amsterdam", "b123456", "élan", "⚽️ club"] {
            let bytes = Array(key.utf8)
            let signature = Posting.signature(of: bytes)
            for start in bytes.indices {
                for end in (start + 1)...bytes.count {
                    let term = Posting.signature(of: Array(bytes[start..<end]))
                    XCTAssertEqual(signature & term, term, "\(key) [\(start)..<\(end)]")
                }
            }
        }
        XCTAssertNotEqual(Posting.signature(of: Array("ajax".utf8)), Posting.signature(of: Array("psv".utf8)))
    }
}
