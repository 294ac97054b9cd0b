import NIOCore
import RPCCore
import TeamsProto
import XCTest

final class ResponseHeadTests: XCTestCase {
    func decodeFrame(_ buffer: ByteBuffer) throws -> Frame {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder())
        var frames: [Frame] = []
        try processor.process(buffer: buffer) { if case .frame(let frame) = $0 { frames.append(frame) } }
        XCTAssertEqual(frames.count, 1)
        return frames[0]
    }

    func testResponseHeadRoundTripsAndOKResponseFramingIsElevenBytes() throws {
        var buffer = ByteBuffer()
        try ResponseHead(status: .ok).writeFrame(callID: 9, into: &buffer) { $0.writeBytes([1, 2, 3]) }
        XCTAssertEqual(buffer.readableBytes, 11 + 3)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        XCTAssertEqual(try ResponseHead.read(flags: frame.flags, from: &body), ResponseHead(status: .ok))
        XCTAssertEqual(Array(body.readableBytesView), [1, 2, 3])

        buffer.clear()
        let error = ResponseHead(status: .notFound, message: "no team ⚽️", metadata: ["request-id": "r"])
        try error.writeFrame(callID: 10, into: &buffer)
        let errorFrame = try decodeFrame(buffer)
        body = errorFrame.body
        XCTAssertEqual(try ResponseHead.read(flags: errorFrame.flags, from: &body), error)
        XCTAssertEqual(body.readableBytes, 0)
    }

    func testLongStatusMessagesAreCutAtACharacterBoundary() throws {
        var buffer = ByteBuffer()
        let message = String(repeating: "é", count: 40_000)  // 80,000 bytes
        try ResponseHead(status: .internal, message: message).writeFrame(callID: 1, into: &buffer)
        let frame = try decodeFrame(buffer)
        var body = frame.body
        let head = try ResponseHead.read(flags: frame.flags, from: &body)
        XCTAssertEqual(head.message.utf8.count, 65_534)
        XCTAssertTrue(message.hasPrefix(head.message))
    }

    func testAPayloadThatFailsLeavesNoPartialFrame() {
        var buffer = ByteBuffer(bytes: [7])
        XCTAssertThrowsError(try ResponseHead(status: .ok).writeFrame(callID: 1, into: &buffer) { buffer throws(RPCError) in
            buffer.writeBytes([1, 2, 3])
            throw RPCError(.resourceExhausted, "too large")
        })
        XCTAssertEqual(Array(buffer.readableBytesView), [7])
    }

    /// Packed in one run with its head or written after it, a response frame has the same bytes.
    func testAPackedPayloadFrameHasTheBytesOfTheEncodedOne() throws {
        let payloads = [Teams_V1_CheckResponse(), Teams_V1_CheckResponse(status: .serving, store: String(repeating: "s", count: 300))]
        let heads = [ResponseHead(status: .ok), ResponseHead(status: .ok, metadata: ["request-id": "r"]), ResponseHead(status: .ok, message: "fine")]
        for payload in payloads {
            for head in heads {
                var packed = ByteBuffer(bytes: [7])
                var encoded = ByteBuffer(bytes: [7])
                try head.writeFrame(callID: 300, into: &packed, packing: payload)
                try head.writeFrame(callID: 300, into: &encoded) { buffer throws(RPCError) in
                    do throws(WireError) { try payload.encode(into: &buffer) } catch { XCTFail("\(error)") }
                }
                XCTAssertEqual(Array(packed.readableBytesView), Array(encoded.readableBytesView), "\(head)")
                packed.moveReaderIndex(forwardBy: 1)
                let frame = try decodeFrame(packed)
                var body = frame.body
                XCTAssertEqual(try ResponseHead.read(flags: frame.flags, from: &body), head)
                XCTAssertEqual(try Teams_V1_CheckResponse(decoding: body), payload)
            }
        }
    }

    func testAPackedPayloadTooLargeToEncodeIsResourceExhaustedAndLeavesNoPartialFrame() {
        /// Claims a size over the limit; the limit is checked before anything is packed.
        struct Oversized: PackedEncoding {
            typealias Message = Teams_V1_CheckResponse
            var packedSize: Int { Arena.encodingLimit + 1 }
            func pack(into writer: inout ProtobufWriter) { XCTFail("an oversized payload was packed") }
        }
        let payload = Oversized()
        var buffer = ByteBuffer(bytes: [7])
        XCTAssertThrowsError(try ResponseHead(status: .ok).writeFrame(callID: 1, into: &buffer, packing: payload)) { error in
            XCTAssertEqual((error as? RPCError)?.code, .resourceExhausted)
        }
        XCTAssertEqual(Array(buffer.readableBytesView), [7])
    }
}
