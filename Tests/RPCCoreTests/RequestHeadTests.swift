import NIOCore
import RPCCore
import XCTest

final class RequestHeadTests: XCTestCase {
    func decodeFrame(_ buffer: ByteBuffer) throws -> Frame {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder())
        var frames: [Frame] = []
        try processor.process(buffer: buffer) { if case .frame(let frame) = $0 { frames.append(frame) } }
        XCTAssertEqual(frames.count, 1)
        return frames[0]
    }

    func testRequestHeadRoundTripsEveryOptionalField() throws {
        let head = RequestHead(methodRef: 3, methodName: "/pkg.Service/Method", timeoutMilliseconds: 1500, metadata: ["request-id": "abc", "x": "ÿ"])
        var buffer = ByteBuffer()
        try head.writeFrame(callID: 42, payload: Metadata.Message(entries: [.init(key: "k", value: "v")]), into: &buffer)
        let frame = try decodeFrame(buffer)
        XCTAssertEqual(frame.type, .request)
        XCTAssertEqual(frame.callID, 42)
        var body = frame.body
        XCTAssertEqual(try RequestHead.read(flags: frame.flags, from: &body), head)
        XCTAssertEqual(try Metadata.Message(decoding: body), Metadata.Message(entries: [.init(key: "k", value: "v")]))
    }

    func testSteadyStateRequestFramingIsTwelveBytes() throws {
        var buffer = ByteBuffer()
        let payload = Metadata.Message(entries: [.init(key: "9m4e2mr0ui3e8a215n4g", value: "")])
        try RequestHead(methodRef: 1, methodName: nil).writeFrame(callID: 1, payload: payload, into: &buffer)
        XCTAssertEqual(buffer.readableBytes - (try payload.encodedBytes().count), 12)
    }

    func testTruncatedHeadFieldsAreInvalidArgument() {
        for (flags, bytes): (FrameFlags, [UInt8]) in [([], [0]), ([.methodName], [0, 1, 5, 0x2f]), ([.deadline], [0, 1, 0, 0]), ([.metadata], [0, 1, 0, 9, 0x0a])] {
            var body = ByteBuffer(bytes: bytes)
            XCTAssertThrowsError(try RequestHead.read(flags: flags, from: &body)) { error in
                XCTAssertEqual((error as? RPCError)?.code, .invalidArgument)
            }
        }
    }

    func testMetadataOver64KiBIsRefusedAndLeavesTheBufferUnchanged() {
        var buffer = ByteBuffer(bytes: [7])
        let head = RequestHead(methodRef: 1, methodName: nil, metadata: Metadata([("k", String(repeating: "v", count: 70_000))]))
        XCTAssertThrowsError(try head.writeFrame(callID: 1, payload: Metadata.Message(), into: &buffer)) { error in
            XCTAssertEqual((error as? RPCError)?.code, .invalidArgument)
        }
        XCTAssertEqual(Array(buffer.readableBytesView), [7])
    }
}
