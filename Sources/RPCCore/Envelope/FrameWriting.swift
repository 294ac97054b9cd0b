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

/// Appends a GOAWAY frame: call id 0, then the status, the last call id the server
/// accepted (calls above it were not run), and a message.
public func writeGoAwayFrame(_ error: RPCError, lastCallID: UInt32, into buffer: inout ByteBuffer) {
    appendFrame(type: .goAway, flags: [], callID: 0, into: &buffer) { buffer in
        let utf8 = error.message.utf8.prefix(1024)
        buffer.writeInteger(error.code.rawValue)
        buffer.writeInteger(lastCallID)
        buffer.writeInteger(UInt16(utf8.count))
        buffer.writeBytes(utf8)
    }
}

/// Appends a PING (client) or PONG (server) frame; `value` rides in the call id field.
public func writeKeepaliveFrame(_ type: FrameType, value: UInt32, into buffer: inout ByteBuffer) {
    precondition(type == .ping || type == .pong, "keepalive frames are PING or PONG")
    appendFrame(type: type, flags: [], callID: value, into: &buffer) { _ in }
}

/// How an AUTH frame names its caller.
public enum AuthScheme {
    /// A bearer token: `u16` length, then the token's bytes.
    public static let bearerToken: UInt8 = 1
}

/// Appends an AUTH frame carrying `token` (1 to 1024 bytes).
public func writeAuthFrame(token: some Collection<UInt8>, into buffer: inout ByteBuffer) {
    appendFrame(type: .auth, flags: [], callID: 0, into: &buffer) { buffer in
        buffer.writeInteger(AuthScheme.bearerToken)
        buffer.writeInteger(UInt16(clamping: token.count))
        buffer.writeBytes(token)
    }
}

/// A GOAWAY frame's body.
public struct GoAway: Sendable, Hashable {
    public var error: RPCError
    /// Calls with a higher id were not run, and never will be.
    public var lastCallID: UInt32

    public init(error: RPCError, lastCallID: UInt32) {
        self.error = error
        self.lastCallID = lastCallID
    }

    /// Reads the body of a GOAWAY frame; a short body reads as UNAVAILABLE with last call id 0.
    public static func read(from body: inout ByteBuffer) -> GoAway {
        let code = body.readInteger(as: UInt8.self).flatMap(StatusCode.init(rawValue:)) ?? .unavailable
        let lastCallID = body.readInteger(as: UInt32.self) ?? 0
        let message = body.readInteger(as: UInt16.self).flatMap { body.readString(length: Int($0)) } ?? ""
        return GoAway(error: RPCError(code, message), lastCallID: lastCallID)
    }
}

/// Writes the length prefix, type, flags and call id around `body`. When `body`
/// throws, the partial frame is taken back out of `buffer`.
@inline(__always)
func appendFrame<Failure: Error>(
    type: FrameType, flags: FrameFlags, callID: UInt32, into buffer: inout ByteBuffer, body: (inout ByteBuffer) throws(Failure) -> Void
) throws(Failure) {
    let start = buffer.writerIndex
    // One write for the header: each ByteBuffer write pays an exclusivity check.
    // The length is patched below, once the body's size is known.
    buffer.writeMultipleIntegers(UInt32(0), type.rawValue, flags.rawValue, callID)
    do {
        try body(&buffer)
    } catch {
        buffer.moveWriterIndex(to: start)
        throw error
    }
    buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
}
