@testable import RPCCore
import XCTest

/// The arena's cap: past it, allocation fails with `tooLarge` and nothing traps.
final class ArenaTests: XCTestCase {
    func testAllocationsPastTheLimitThrowAndMarkTheArenaExhausted() {
        let big = [UInt8](repeating: 1, count: 10_000)
        let outcome = Arena.with(limit: 8192) { (arena: Arena) -> (small: Bool, exhaustedBefore: Bool, big: WireError?, exhaustedAfter: Bool) in
            let small = (try? arena.cString(copying: UnsafeRawBufferPointer(start: nil, count: 0))) != nil
            let before = arena.isExhausted
            let failure = big.withUnsafeBytes { bytes -> WireError? in
                do throws(WireError) {
                    _ = try arena.cString(copying: bytes)
                    return nil
                } catch {
                    return error
                }
            }
            return (small, before, failure, arena.isExhausted)
        }
        XCTAssertTrue(outcome.small)
        XCTAssertFalse(outcome.exhaustedBefore)
        guard case .tooLarge = outcome.big else { return XCTFail("expected tooLarge, got \(String(describing: outcome.big))") }
        XCTAssertTrue(outcome.exhaustedAfter)
    }

    func testBlocksBeyondTheInlineStorageAreUsableAndFreed() throws {
        // Run under ASan by `make test-asan`: overflow blocks must be freed.
        let copies = Arena.with(limit: 1 << 20) { (arena: Arena) -> [String] in
            (0..<100).map { index in
                (try? arena.cString(String(repeating: "x", count: 500) + "\(index)")).map { String(cString: $0) } ?? "failed"
            }
        }
        XCTAssertEqual(copies, (0..<100).map { String(repeating: "x", count: 500) + "\($0)" })
    }

    func testTheDecodingLimitGrowsWithTheInput() {
        XCTAssertGreaterThan(Arena.decodingLimit(forEncodedBytes: 1 << 20), Arena.decodingLimit(forEncodedBytes: 1 << 10))
        XCTAssertGreaterThanOrEqual(Arena.decodingLimit(forEncodedBytes: 0), 64 << 10)
    }
}
