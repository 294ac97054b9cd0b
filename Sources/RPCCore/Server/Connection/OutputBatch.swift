import NIOCore

/// A connection's responses, gathered so that one read batch, or one event-loop
/// tick, makes one write: frames are appended to one buffer, and it is flushed
/// when the read batch ends or, outside one, once per tick.
struct OutputBatch {
    /// Room reserved in an empty buffer, so a batch of responses does not grow it step by step.
    static let capacity = 16 * 1024
    /// A stream message that brings the buffer past this flushes it at once.
    static let streamFlushThreshold = 64 * 1024

    private(set) var buffer = ByteBuffer()
    /// Inside a read batch, which flushes when it ends.
    var isReading = false
    private var flushScheduled = false

    var readableBytes: Int { buffer.readableBytes }

    /// Appends a frame; when `write` throws, appends `fallback`'s frame instead.
    @inline(__always)
    mutating func append(_ write: (inout ByteBuffer) throws(RPCError) -> Void, otherwise fallback: (RPCError, inout ByteBuffer) -> Void) {
        if buffer.capacity == 0 { buffer.reserveCapacity(Self.capacity) }
        do {
            try write(&buffer)
        } catch {
            fallback(error, &buffer)
        }
    }

    /// Appends a frame that cannot fail.
    @inline(__always)
    mutating func append(_ write: (inout ByteBuffer) -> Void) {
        if buffer.capacity == 0 { buffer.reserveCapacity(Self.capacity) }
        write(&buffer)
    }

    /// After an append: whether the connection must schedule a flush for the end of
    /// this tick (outside a read batch, and none is scheduled yet).
    mutating func needsFlushLater() -> Bool {
        guard !isReading, !flushScheduled else { return false }
        flushScheduled = true
        return true
    }

    /// The bytes to write now, leaving the buffer empty; nil when there are none.
    mutating func take() -> ByteBuffer? {
        flushScheduled = false
        guard buffer.readableBytes > 0 else { return nil }
        defer { buffer = ByteBuffer() }
        return buffer
    }
}
