import TeamsDomain
import XCTest

final class TeamIDTests: XCTestCase {
    /// rs/xid's own test vector: the bytes and the string its Go implementation prints.
    let knownBytes: [UInt8] = [0x4d, 0x88, 0xe1, 0x5b, 0x60, 0xf4, 0x86, 0xe4, 0x28, 0x41, 0x2d, 0xc9]
    let knownText = "9m4e2mr0ui3e8a215n4g"

    func testEncodesLikeRsXid() {
        XCTAssertEqual(TeamID(bytes: knownBytes)?.description, knownText)
    }

    func testDecodesLikeRsXid() throws {
        let id = try XCTUnwrap(TeamID(knownText))
        XCTAssertEqual(id.bytes, knownBytes)
        XCTAssertEqual(id.timestamp, 1_300_816_219)
    }

    func testRoundTripsAllZeroAndAllOneBytes() throws {
        for byte: UInt8 in [0x00, 0xff, 0x5a] {
            let id = try XCTUnwrap(TeamID(bytes: [UInt8](repeating: byte, count: 12)))
            XCTAssertEqual(TeamID(id.description), id)
            XCTAssertEqual(id.description.count, 20)
        }
    }

    /// Each way of not being an id is named, the non-canonical last character included.
    func testSaysWhatIsWrongWithText() {
        let id = TeamID("9m4e2mr0ui3e8a215n4g")!
        XCTAssertNil(TeamID.problem(with: id.description))
        XCTAssertEqual(TeamID.problem(with: "abc"), "must be 20 characters of 0-9 and a-v (an xid), got 3")
        XCTAssertEqual(TeamID.problem(with: "9m4e2mr0ui3e8a215n4G"), "must be 20 characters of 0-9 and a-v (an xid); character 20 is \"G\"")
        XCTAssertEqual(
            TeamID.problem(with: "9m4e2mr0ui3e8a215n4h"),
            "ends in \"h\", but an xid's last character is 0 or g (its last 4 bits are zero padding)")
    }

    func testRejectsMalformedText() {
        for text in ["", "9m4e2mr0ui3e8a215n4", "9m4e2mr0ui3e8a215n4gg", "9M4E2MR0UI3E8A215N4G", "9m4e2mr0ui3e8a215n4w", "9m4e2mr0ui3e8a215n4-"] {
            XCTAssertNil(TeamID(text), text)
        }
        // The last digit carries 4 padding bits; a non-zero padding would not encode back the same.
        XCTAssertNil(TeamID("9m4e2mr0ui3e8a215n4h"))
    }

    /// The text of random ids against a bit-by-bit base32hex encoder, and back.
    func testTextMatchesABitByBitEncodingForRandomIDs() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let id = try XCTUnwrap(TeamID(bytes: bytes))
            let text = Self.base32hex(bytes)
            XCTAssertEqual(id.description, text)
            XCTAssertEqual(TeamID(text), id)
            XCTAssertEqual(TeamID(utf8: Array(text.utf8)), id)
            XCTAssertEqual(TeamID(text[...]), id, "a Substring parses the same")
        }
    }

    func testRejectsAnInvalidCharacterAtEveryPosition() {
        for position in 0..<TeamID.encodedLength {
            for bad in ["w", "A", "-", "é", "\u{0}"] {
                var characters = Array(knownText)
                characters[position] = Character(bad)
                XCTAssertNil(TeamID(String(characters)), "\(bad) at \(position)")
            }
        }
        XCTAssertNil(TeamID(utf8: Array("9m4e2mr0ui3e8a215n4".utf8)))
        XCTAssertNil(TeamID(utf8: [UInt8](repeating: 0xFF, count: 20)))
    }

    /// Five bits at a time from the front, the last digit padded with zeros.
    private static func base32hex(_ bytes: [UInt8]) -> String {
        let bits: [Int] = bytes.flatMap { byte in (0..<8).map { Int(byte >> (7 - $0) & 1) } } + [0, 0, 0, 0]
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
        var text = ""
        for start in stride(from: 0, to: bits.count, by: 5) {
            text.append(alphabet[bits[start..<start + 5].reduce(0) { $0 << 1 | $1 }])
        }
        return text
    }

    func testGeneratorLaysOutTimeMachineProcessCounter() {
        let generator = TeamIDGenerator(machineID: (0x60, 0xf4, 0x86), processID: 0xe428, counterStart: 0x412dc8, now: { 1_300_816_219 })
        XCTAssertEqual(generator.next().description, knownText)
    }

    func testGeneratedIDsAreUniqueAndSortInCreationOrder() {
        let generator = TeamIDGenerator(machineID: (1, 2, 3), processID: 4, counterStart: 0, now: { 1_700_000_000 })
        let ids = (0..<10_000).map { _ in generator.next() }
        XCTAssertEqual(Set(ids).count, ids.count)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(ids.map(\.description), ids.map(\.description).sorted(), "the text form sorts like the bytes")
    }

    func testCounterWrapsAt24Bits() {
        let generator = TeamIDGenerator(machineID: (1, 2, 3), processID: 4, counterStart: 0xFF_FFFF, now: { 5 })
        XCTAssertEqual(generator.next().bytes.suffix(3), [0, 0, 0])
    }
}
