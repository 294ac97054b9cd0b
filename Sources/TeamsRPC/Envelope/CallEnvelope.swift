import NIOCore
import TeamsWire

/// The header fields of a REQUEST frame, between the call id and the payload.
///
///     method ref      u16
///     [methodName]    u8 length, UTF-8 full method name
///     [deadline]      u32 timeout in milliseconds, from when the server reads the frame
///     [metadata]      u16 length, protobuf teams.rpc.v1.Metadata
///     payload         the rest: the protobuf request message
///
/// A REQUEST naming its method binds `methodRef` (when non-zero) to that name for
/// the rest of the connection, so later calls may send the ref alone.
public struct RequestHead: Sendable, Hashable {
    public var methodRef: UInt16
    public var methodName: String?
    public var timeoutMilliseconds: UInt32?
    public var metadata: Metadata

    public init(methodRef: UInt16, methodName: String?, timeoutMilliseconds: UInt32? = nil, metadata: Metadata = Metadata()) {
        self.methodRef = methodRef
        self.methodName = methodName
        self.timeoutMilliseconds = timeoutMilliseconds
        self.metadata = metadata
    }

    /// Reads the head from the front of `body`, leaving the payload.
    /// - Throws: `RPCError(.invalidArgument)` naming the field that is cut short or malformed.
    public static func read(flags: FrameFlags, from body: inout ByteBuffer) throws(RPCError) -> RequestHead {
        guard let methodRef = body.readInteger(as: UInt16.self) else {
            throw RPCError(.invalidArgument, "request frame too short for its method ref")
        }
        var head = RequestHead(methodRef: methodRef, methodName: nil)
        if flags.contains(.methodName) {
            guard let length = body.readInteger(as: UInt8.self), let name = body.readString(length: Int(length)) else {
                throw RPCError(.invalidArgument, "request frame too short for its method name")
            }
            head.methodName = name
        }
        if flags.contains(.deadline) {
            guard let timeout = body.readInteger(as: UInt32.self) else {
                throw RPCError(.invalidArgument, "request frame too short for its deadline")
            }
            head.timeoutMilliseconds = timeout
        }
        if flags.contains(.metadata) {
            head.metadata = try readMetadata(from: &body)
        }
        return head
    }

    var flags: FrameFlags {
        var flags: FrameFlags = []
        if methodName != nil { flags.insert(.methodName) }
        if timeoutMilliseconds != nil { flags.insert(.deadline) }
        if !metadata.isEmpty { flags.insert(.metadata) }
        return flags
    }

    /// Appends a whole REQUEST frame: this head and then the encoded `payload`.
    public func writeFrame(callID: UInt32, payload: some WireMessage, into buffer: inout ByteBuffer) {
        appendFrame(type: .request, flags: flags, callID: callID, into: &buffer) { buffer in
            buffer.writeInteger(methodRef)
            if let methodName {
                let utf8 = methodName.utf8.prefix(Int(UInt8.max))
                buffer.writeInteger(UInt8(utf8.count))
                buffer.writeBytes(utf8)
            }
            if let timeoutMilliseconds { buffer.writeInteger(timeoutMilliseconds) }
            if !metadata.isEmpty { writeMetadata(metadata, into: &buffer) }
            payload.encode(into: &buffer)
        }
    }
}

/// The header fields of a RESPONSE frame, between the call id and the payload.
///
///     status          u8 StatusCode
///     [statusMessage] u16 length, UTF-8
///     [metadata]      u16 length, protobuf teams.rpc.v1.Metadata
///     payload         the rest: the protobuf response of a unary call when status is OK
public struct ResponseHead: Sendable, Hashable {
    public var status: StatusCode
    public var message: String
    public var metadata: Metadata

    public init(status: StatusCode, message: String = "", metadata: Metadata = Metadata()) {
        self.status = status
        self.message = message
        self.metadata = metadata
    }

    /// - Throws: `RPCError(.internal)` when the head is cut short or the status unknown.
    public static func read(flags: FrameFlags, from body: inout ByteBuffer) throws(RPCError) -> ResponseHead {
        guard let rawStatus = body.readInteger(as: UInt8.self) else {
            throw RPCError(.internal, "response frame too short for its status")
        }
        let status = StatusCode(rawValue: rawStatus) ?? .unknown
        var head = ResponseHead(status: status)
        if StatusCode(rawValue: rawStatus) == nil { head.message = "unknown status code \(rawStatus)" }
        if flags.contains(.statusMessage) {
            guard let length = body.readInteger(as: UInt16.self), let message = body.readString(length: Int(length)) else {
                throw RPCError(.internal, "response frame too short for its status message")
            }
            head.message = message
        }
        if flags.contains(.metadata) {
            head.metadata = try readMetadata(from: &body)
        }
        return head
    }

    var flags: FrameFlags {
        var flags: FrameFlags = []
        if !message.isEmpty { flags.insert(.statusMessage) }
        if !metadata.isEmpty { flags.insert(.metadata) }
        return flags
    }

    /// Appends a whole RESPONSE frame: this head, then `payload` if there is one.
    public func writeFrame(callID: UInt32, into buffer: inout ByteBuffer, payload: ((inout ByteBuffer) -> Void)? = nil) {
        appendFrame(type: .response, flags: flags, callID: callID, into: &buffer) { buffer in
            buffer.writeInteger(status.rawValue)
            if !message.isEmpty {
                // At most 64 KiB - 1 bytes, cut at a character boundary.
                var utf8 = Substring(message).utf8.prefix(Int(UInt16.max))
                while String(utf8) == nil { utf8 = utf8.dropLast() }
                buffer.writeInteger(UInt16(utf8.count))
                buffer.writeBytes(utf8)
            }
            if !metadata.isEmpty { writeMetadata(metadata, into: &buffer) }
            payload?(&buffer)
        }
    }
}

/// Appends a STREAM_MESSAGE frame carrying `message`.
public func writeStreamMessageFrame(callID: UInt32, message: some WireMessage, into buffer: inout ByteBuffer) {
    appendFrame(type: .streamMessage, flags: [], callID: callID, into: &buffer) { message.encode(into: &$0) }
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

/// Writes the length prefix, type, flags and call id around `body`.
@inline(__always)
func appendFrame(type: FrameType, flags: FrameFlags, callID: UInt32, into buffer: inout ByteBuffer, body: (inout ByteBuffer) -> Void) {
    let start = buffer.writerIndex
    buffer.writeInteger(UInt32(0))  // patched below, once the body's size is known
    buffer.writeInteger(type.rawValue)
    buffer.writeInteger(flags.rawValue)
    buffer.writeInteger(callID)
    body(&buffer)
    buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
}

private func readMetadata(from body: inout ByteBuffer) throws(RPCError) -> Metadata {
    guard let length = body.readInteger(as: UInt16.self), let bytes = body.readSlice(length: Int(length)) else {
        throw RPCError(.invalidArgument, "frame too short for its metadata")
    }
    do {
        return Metadata(try MetadataMessage(decoding: bytes))
    } catch {
        throw RPCError(.invalidArgument, "metadata does not decode: \(error)")
    }
}

private func writeMetadata(_ metadata: Metadata, into buffer: inout ByteBuffer) {
    let lengthIndex = buffer.writerIndex
    buffer.writeInteger(UInt16(0))
    metadata.message.encode(into: &buffer)
    let length = buffer.writerIndex - lengthIndex - 2
    precondition(length <= Int(UInt16.max), "metadata larger than 64 KiB")
    buffer.setInteger(UInt16(length), at: lengthIndex)
}
