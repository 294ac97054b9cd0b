import TeamsDomain
import TeamsSupport
import XCTest

final class PlayerTests: XCTestCase {
    /// `sameName` answers as comparing lower-cased names does, for ASCII and for names
    /// whose lower-casing changes their length or meets only after the ASCII part.
    func testSameNameIsEqualityOfLowercasedNames() {
        let names = [
            "", "a", "A", "ab", "AB", "aB", "abc", "k", "K", "\u{212A}", "\u{212A}ab", "kab", "KAB", "Zoë", "ZOË", "zoe", "İ", "i̇", "i",
            "ß", "SS", "ss", "Straße", "STRASSE", "straße", "e\u{301}", "é", "É", "x\u{212A}", "xk", "XK", "Ω", "ω", "\u{2126}", "a\u{0}b", "A\u{0}B",
        ]
        for lhs in names {
            for rhs in names {
                XCTAssertEqual(Player.sameName(lhs, rhs), lhs.lowercased() == rhs.lowercased(), "\(lhs.unicodeScalars.map(\.value)) vs \(rhs.unicodeScalars.map(\.value))")
            }
        }
    }

    func testSameNameOnRandomMixedCaseNames() {
        var random = SplitMix64(seed: 7)
        let alphabet = Array("aAbBzZ09 -'\u{212A}kéÉß".unicodeScalars)
        for _ in 0..<20_000 {
            let lhs = String(String.UnicodeScalarView((0..<random.below(6)).map { _ in alphabet[random.below(alphabet.count)] }))
            let rhs = String(String.UnicodeScalarView((0..<random.below(6)).map { _ in alphabet[random.below(alphabet.count)] }))
            XCTAssertEqual(Player.sameName(lhs, rhs), lhs.lowercased() == rhs.lowercased(), "\(lhs) vs \(rhs)")
        }
    }
}
