import ConnectionFuzzing
import Foundation
import XCTest

/// Every committed seed and every input that once crashed a fuzz target runs
/// through the harness in the ordinary test build (and under ASan in `make test-asan`).
final class FuzzCorpusTests: XCTestCase {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    func inputs(in folder: String) throws -> [URL] {
        let directory = Self.fuzz.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.path < $1.path }
    }

    func testTheSeedCorpusRuns() throws {
        let seeds = try inputs(in: "corpus/connection")
        XCTAssertGreaterThan(seeds.count, 10, "the seed corpus is missing")
        for seed in seeds {
            try [UInt8](Data(contentsOf: seed)).withUnsafeBytes { ConnectionFuzzing.run($0) }
        }
    }

    func testEveryCrashFoundSoFarStaysFixed() throws {
        // The connection fuzzer's finds; the unpack fuzzer's are C inputs, replayed by `make test-fuzz`.
        for crash in try inputs(in: "crashes") where crash.lastPathComponent.hasPrefix("connection-") {
            try [UInt8](Data(contentsOf: crash)).withUnsafeBytes { ConnectionFuzzing.run($0) }
        }
    }
}
