import NIOCore

/// Writing: responses, stream messages and control frames go into the `OutputBatch`,
/// flushed at the end of a read batch or once per event-loop tick.
extension ServerConnection {
    /// Queues a RESPONSE frame. When `payload` throws, the call ends with its error instead.
    func writeResponse(callID: UInt32, head: ResponseHead, payload: ((inout ByteBuffer) throws(RPCError) -> Void)?) {
        writeResponse(callID: callID) { buffer throws(RPCError) in try head.writeFrame(callID: callID, into: &buffer, payload: payload) }
    }

    /// Queues the RESPONSE frame `writeFrame` appends. When it throws, the call ends with its error instead.
    func writeResponse(callID: UInt32, _ writeFrame: (inout ByteBuffer) throws(RPCError) -> Void) {
        // Without the payload or the metadata, the error's frame cannot fail.
        output.append(writeFrame) { error, buffer in try? ResponseHead(error).writeFrame(callID: callID, into: &buffer) }
        outputWritten()
    }

    /// Queues a stream message; returns true when this flushed a full buffer, so a
    /// long stream should yield to let the loop write it out.
    func writeStreamMessage<Message: WireMessage>(callID: UInt32, _ message: Message) throws(RPCError) -> Bool {
        var failure: RPCError?
        output.append({ buffer throws(RPCError) in try writeStreamMessageFrame(callID: callID, message: message, into: &buffer) }) { error, _ in failure = error }
        if let failure { throw failure }
        if output.readableBytes >= OutputBatch.streamFlushThreshold {
            flushOutput()
            return true
        }
        outputWritten()
        return false
    }

    /// The bytes queued beyond `maximumBufferedOutput`, or nil while within it.
    func outboundOverflow() -> Int? {
        guard let sink else { return nil }
        let total = sink.bufferedBytes + output.readableBytes
        return total > limits.maximumBufferedOutput ? total : nil
    }

    /// Inside a read batch, `receiveComplete` flushes; otherwise flush once this tick's work is done.
    func outputWritten() {
        guard output.needsFlushLater() else { return }
        loop.assumeIsolated().execute { self.flushOutput() }
    }

    func flushOutput() {
        guard let batch = output.take(), let sink else { return }
        sink.write(batch)
    }
}
