import NIOCore
import NIOPosix
@testable import RPCCore

/// A `ConnectionOutput` that keeps what is written, for driving a connection without a transport.
final class RecordingOutput: ConnectionOutput {
    private(set) var written = ByteBuffer()
    private(set) var isClosed = false
    var bufferedBytes = 0

    func write(_ bytes: ByteBuffer) {
        var bytes = bytes
        written.writeBuffer(&bytes)
    }

    func close(after bytes: ByteBuffer) {
        write(bytes)
        isClosed = true
    }

    /// The frames written so far, decoded.
    func frames() throws -> [Frame] {
        let processor = NIOSingleStepByteToMessageProcessor(FrameDecoder(maximumFrameLength: .max))
        var frames: [Frame] = []
        try processor.process(buffer: written) { if case .frame(let frame) = $0 { frames.append(frame) } }
        return frames
    }

    /// Each RESPONSE frame's call id and head.
    func responses() throws -> [(callID: UInt32, head: ResponseHead, payload: ByteBuffer)] {
        try frames().filter { $0.type == .response }.map { frame in
            var body = frame.body
            return (frame.callID, try ResponseHead.read(flags: frame.flags, from: &body), body)
        }
    }
}

extension ByteBuffer {
    /// A REQUEST frame for `method`, naming it and binding ref 1.
    static func request<Request: WireMessage>(callID: UInt32, path: String, _ payload: Request, ref: UInt16 = 1, named: Bool = true, timeout: UInt32? = nil) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try RequestHead(methodRef: ref, methodName: named ? path : nil, timeoutMilliseconds: timeout).writeFrame(callID: callID, payload: payload, into: &buffer)
        return buffer
    }

    /// A REQUEST frame for `path` whose payload is `payload` as given, valid protobuf or not.
    static func request(callID: UInt32, path: String, rawPayload payload: [UInt8]) throws -> ByteBuffer {
        var buffer = try request(callID: callID, path: path, Metadata.Message())
        buffer.writeBytes(payload)
        buffer.setInteger(UInt32(buffer.readableBytes - 4), at: 0)
        return buffer
    }
}
