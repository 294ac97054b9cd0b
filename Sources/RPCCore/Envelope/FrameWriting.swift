import NIOCore

/// Appends a STREAM_MESSAGE frame carrying `message`.
/// - Throws: `RPCError(.resourceExhausted)` when the message is too large to encode;
///   `buffer` is then unchanged.
public func writeStreamMessageFrame(callID: UInt32, message: some WireMessage, into buffer: inout ByteBuffer) throws(RPCError) {
    try appendFrame(type: .streamMessage, flags: [], callID: callID, into: &buffer) { buffer throws(RPCError) in
        do throws(WireError) {
            try message.encode(into: &buffer)
        } catch {
            throw RPCError(.resourceExhausted, "stream message cannot be encoded: \(error)")
        }
    }
}

/// Appends a CANCEL frame.
public func writeCancelFrame(callID: UInt32, into buffer: inout ByteBuffer) {
    appendFrame(type: .cancel, flags: [], callID: callID, into: &buffer) { _ in }
}

/// Appends a GOAWAY frame: call id 0, then a status and a message as in RESPONSE.
public func writeGoAwayFrame(_ error: RPCError, into buffer: inout ByteBuffer) {
    appendFrame(type: .goAway, flags: [], callID: 0, into: &buffer) { buffer in
        let utf8 = error.message.utf8.prefix(1024)
        buffer.writeInteger(error.code.rawValue)
        buffer.writeInteger(UInt16(utf8.count))
        buffer.writeBytes(utf8)
    }
}

/// Writes the length prefix, type, flags and call id around `body`. When `body`
/// throws, the partial frame is taken back out of `buffer`.
@inline(__always)
func appendFrame<Failure: Error>(
    type: FrameType, flags: FrameFlags, callID: UInt32, into buffer: inout ByteBuffer, body: (inout ByteBuffer) throws(Failure) -> Void
) throws(Failure) {
    let start = buffer.writerIndex
    buffer.writeInteger(UInt32(0))  // patched below, once the body's size is known
    buffer.writeInteger(type.rawValue)
    buffer.writeInteger(flags.rawValue)
    buffer.writeInteger(callID)
    do {
        try body(&buffer)
    } catch {
        buffer.moveWriterIndex(to: start)
        throw error
    }
    buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
}
