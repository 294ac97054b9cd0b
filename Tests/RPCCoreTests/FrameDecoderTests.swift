import NIOCore
import NIOTestUtils
import RPCCore
import XCTest

/// Feeds byte patterns to `FrameDecoder` the way a socket delivers them.
final class FrameDecoderTests: XCTestCase {
    /// A frame with the given body length, type REQUEST, flags 0.
    func frame(callID: UInt32, body: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(6 + body.count))
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(callID)
        buffer.writeBytes(body)
        return Array(buffer.readableBytesView)
    }

    /// Runs `chunks` through one decoder and returns what came out.
    func decode(_ chunks: [[UInt8]], maximum: UInt32 = FrameDecoder.defaultMaximumFrameLength) throws -> [String] {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: maximum))
        var out: [String] = []
        for chunk in chunks {
            try processor.process(buffer: ByteBuffer(bytes: chunk)) { event in
                switch event {
                case .frame(let frame): out.append("frame \(frame.callID) \(Array(frame.body.readableBytesView))")
                case .oversized(let type, let callID, let length): out.append("oversized \(type) \(callID) \(length)")
                }
            }
        }
        return out
    }

    func event(callID: UInt32, body: [UInt8]) -> FrameDecoder.Event {
        .frame(Frame(type: .request, flags: [], callID: callID, body: ByteBuffer(bytes: body)))
    }

    /// NIOTestUtils feeds each input whole, byte by byte, in random fragments and
    /// with bytes left over, and checks the same frames come out every time.
    func testEveryFragmentationGivesTheSameFrames() throws {
        let three = frame(callID: 1, body: [9, 9]) + frame(callID: 2, body: []) + frame(callID: 3, body: Array(0..<200))
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (ByteBuffer(bytes: frame(callID: 7, body: [1, 2, 3])), [event(callID: 7, body: [1, 2, 3])]),
                (ByteBuffer(bytes: three), [event(callID: 1, body: [9, 9]), event(callID: 2, body: []), event(callID: 3, body: Array(0..<200))]),
            ],
            decoderFactory: { FrameDecoder() })
    }

    func testEveryFragmentationSkipsAnOversizedFrameTheSameWay() throws {
        let oversized = frame(callID: 2, body: [UInt8](repeating: 2, count: 100))
        let bytes = frame(callID: 1, body: [1]) + oversized + frame(callID: 3, body: [3])
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (ByteBuffer(bytes: bytes), [event(callID: 1, body: [1]), .oversized(type: .request, callID: 2, length: 106), event(callID: 3, body: [3])])
            ],
            decoderFactory: { FrameDecoder(maximumFrameLength: 64) })
    }

    func testAFrameSplitIntoSingleBytes() throws {
        let bytes = frame(callID: 7, body: [1, 2, 3])
        XCTAssertEqual(try decode(bytes.map { [$0] }), ["frame 7 [1, 2, 3]"])
    }

    func testManyFramesInOneRead() throws {
        let bytes = (1...100).flatMap { frame(callID: UInt32($0), body: [UInt8($0)]) }
        let out = try decode([bytes])
        XCTAssertEqual(out.count, 100)
        XCTAssertEqual(out.last, "frame 100 [100]")
    }

    func testFramesStraddlingReads() throws {
        let bytes = frame(callID: 1, body: [9, 9]) + frame(callID: 2, body: []) + frame(callID: 3, body: [5])
        for split in 1..<bytes.count {
            XCTAssertEqual(try decode([Array(bytes[..<split]), Array(bytes[split...])]), ["frame 1 [9, 9]", "frame 2 []", "frame 3 [5]"], "split at \(split)")
        }
    }

    func testZeroLengthBody() throws {
        XCTAssertEqual(try decode([frame(callID: 4, body: [])]), ["frame 4 []"])
    }

    func testMaximumSizeIsAcceptedAndOneMoreIsSkipped() throws {
        let maximum: UInt32 = 64
        let atLimit = frame(callID: 1, body: [UInt8](repeating: 1, count: Int(maximum) - 6))
        let overLimit = frame(callID: 2, body: [UInt8](repeating: 2, count: Int(maximum) - 5))
        let next = frame(callID: 3, body: [3])
        let out = try decode([atLimit + overLimit + next], maximum: maximum)
        XCTAssertEqual(out.count, 3)
        XCTAssertEqual(out[1], "oversized REQUEST 2 65")
        XCTAssertEqual(out[2], "frame 3 [3]", "the stream resynchronises after the skipped body")
    }

    func testAnOversizedBodyIsDiscardedAsItArrivesNotBuffered() throws {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: 16))
        var events: [FrameDecoder.Event] = []
        var header = ByteBuffer()
        header.writeInteger(UInt32(1 << 30))  // a 1 GiB frame
        header.writeBytes([1, 0, 0, 0, 0, 9])
        try processor.process(buffer: header) { events.append($0) }
        XCTAssertEqual(events.count, 1)
        for _ in 0..<64 {
            try processor.process(buffer: ByteBuffer(repeating: 0xAB, count: 64 * 1024)) { events.append($0) }
        }
        XCTAssertEqual(events.count, 1, "body bytes produce nothing")
        XCTAssertLessThanOrEqual(processor.unprocessedBytes, 64 * 1024)
    }

    func testALengthBelowTheHeaderIsAnError() {
        XCTAssertThrowsError(try decode([[0, 0, 0, 5, 1, 0, 0, 0, 0]])) { error in
            XCTAssertEqual(error as? FrameDecoderError, .lengthTooSmall(5))
        }
        XCTAssertThrowsError(try decode([[0, 0, 0, 0]]))
    }

    func testGarbageHeaderWithHugeLengthIsSkippedNotBuffered() throws {
        // "GET / HTTP/1.1" reads as a length of 0x47455420: far over the limit.
        let out = try decode([Array("GET / HTTP/1.1\r\n".utf8)], maximum: 1024)
        XCTAssertEqual(out.first?.hasPrefix("oversized"), true)
    }

    func testTruncatedStreamAtEOF() throws {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder())
        try processor.process(buffer: ByteBuffer(bytes: Array(frame(callID: 1, body: [1, 2, 3]).dropLast()))) { _ in XCTFail() }
        XCTAssertThrowsError(try processor.finishProcessing(seenEOF: true) { _ in })
    }
}
