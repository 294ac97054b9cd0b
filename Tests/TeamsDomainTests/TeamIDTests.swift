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

    func testRejectsMalformedText() {
        for text in ["", "9m4e2mr0ui3e8a215n4", "9m4e2mr0ui3e8a215n4gg", "9M4E2MR0UI3E8A215N4G", "9m4e2mr0ui3e8a215n4w", "9m4e2mr0ui3e8a215n4-"] {
            XCTAssertNil(TeamID(text), text)
        }
        // The last digit carries 4 padding bits; a non-zero padding would not encode back the same.
        XCTAssertNil(TeamID("9m4e2mr0ui3e8a215n4h"))
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
