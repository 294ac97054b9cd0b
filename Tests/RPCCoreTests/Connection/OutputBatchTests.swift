import NIOCore
@testable import RPCCore
import XCTest

final class OutputBatchTests: XCTestCase {
    func testFramesGatherUntilTaken() {
        var batch = OutputBatch()
        XCTAssertNil(batch.take(), "nothing to write")
        batch.append { $0.writeString("a") }
        batch.append { $0.writeString("b") }
        XCTAssertGreaterThanOrEqual(batch.buffer.capacity, OutputBatch.capacity, "room for a batch is reserved at once")
        XCTAssertEqual(batch.take().map { String(buffer: $0) }, "ab")
        XCTAssertEqual(batch.readableBytes, 0)
    }

    func testAFrameThatFailsIsReplacedByItsFallback() {
        var batch = OutputBatch()
        batch.append({ _ throws(RPCError) in throw RPCError(.resourceExhausted, "too big") }, otherwise: { error, buffer in buffer.writeString("\(error.code)") })
        XCTAssertEqual(batch.take().map { String(buffer: $0) }, "RESOURCE_EXHAUSTED")
    }

    func testAFlushIsScheduledOncePerTickOutsideAReadBatch() {
        var batch = OutputBatch()
        batch.isReading = true
        batch.append { $0.writeString("a") }
        XCTAssertFalse(batch.needsFlushLater(), "the read batch's end flushes")
        batch.isReading = false
        XCTAssertTrue(batch.needsFlushLater())
        XCTAssertFalse(batch.needsFlushLater(), "one flush per tick")
        _ = batch.take()
        XCTAssertTrue(batch.needsFlushLater(), "after the flush, the next write schedules again")
    }
}
