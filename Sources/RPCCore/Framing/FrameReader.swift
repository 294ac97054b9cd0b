import NIOCore

/// A `FrameDecoder` and the bytes it has not consumed yet: frames out of a byte
/// stream read in pieces, and whether the stream stopped inside one.
///
/// Unlike NIO's byte-to-message processor it can say `isInsideFrame` while an
/// oversized frame's body is being skipped, so a peer trickling such a body is
/// still held to the frame-read timeout.
struct FrameReader {
    private var decoder: FrameDecoder
    private var buffer = ByteBuffer()

    init(maximumFrameLength: UInt32) {
        decoder = FrameDecoder(maximumFrameLength: maximumFrameLength)
    }

    /// Whether some bytes of a frame have arrived and not all of them.
    var isInsideFrame: Bool { buffer.readableBytes > 0 || decoder.isSkipping }

    /// Appends `bytes` and hands every event they complete to `receive`, in order.
    /// - Throws: what `FrameDecoder.decode` throws; the stream is then unreadable.
    mutating func read(_ bytes: ByteBuffer, _ receive: (FrameDecoder.Event) throws -> Void) throws {
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            var bytes = bytes
            buffer.writeBuffer(&bytes)
        }
        while let event = try decoder.decode(buffer: &buffer) {
            try receive(event)
        }
        // Keep a partial frame at the front, so the buffer does not grow with the bytes already read.
        if buffer.readableBytes > 0, buffer.readerIndex > buffer.readableBytes {
            buffer.discardReadBytes()
        }
    }
}
