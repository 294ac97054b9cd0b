@testable import RPCCore
import XCTest

final class MethodBindingsTests: XCTestCase {
    func testAnUnboundRefIsNilOnEitherSideOfTheSmallLimit() {
        var bindings = MethodBindings()
        for ref: UInt16 in [0, 1, 255, 256, .max] { XCTAssertNil(bindings[ref], "ref \(ref)") }
        bindings.bind(3, to: 7)
        bindings.bind(300, to: 8)
        for ref: UInt16 in [0, 1, 2, 4, 255, 256, 299, 301, .max] { XCTAssertNil(bindings[ref], "ref \(ref)") }
    }

    func testEveryRefBindsAndRebinds() {
        var bindings = MethodBindings()
        let refs: [UInt16] = [1, 2, 0, 254, 255, 256, 257, 1000, .max]
        for (index, ref) in refs.enumerated() { bindings.bind(ref, to: index) }
        for (index, ref) in refs.enumerated() { XCTAssertEqual(bindings[ref], index, "ref \(ref)") }
        for (index, ref) in refs.enumerated() { bindings.bind(ref, to: index + 100) }
        for (index, ref) in refs.enumerated() { XCTAssertEqual(bindings[ref], index + 100, "ref \(ref) rebound") }
    }

    func testBindingsAgreeWithADictionaryOverRandomBinds() {
        var bindings = MethodBindings()
        var expected: [UInt16: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Mostly small refs, as clients count them, with large ones mixed in.
            let ref = Bool.random(using: &generator) ? UInt16.random(in: 0...300, using: &generator) : UInt16.random(in: 0...UInt16.max, using: &generator)
            let index = Int.random(in: 0..<20, using: &generator)
            bindings.bind(ref, to: index)
            expected[ref] = index
        }
        for ref in 0...UInt16.max { XCTAssertEqual(bindings[ref], expected[ref], "ref \(ref)") }
    }
}
