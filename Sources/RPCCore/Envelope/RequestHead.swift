import NIOCore

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
            head.metadata = try Metadata.read(from: &body)
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
    /// - Throws: `RPCError(.resourceExhausted)` when the payload is too large to
    ///   encode, `RPCError(.invalidArgument)` when the metadata is over 64 KiB;
    ///   `buffer` is then unchanged.
    public func writeFrame(callID: UInt32, payload: some WireMessage, into buffer: inout ByteBuffer) throws(RPCError) {
        try appendFrame(type: .request, flags: flags, callID: callID, into: &buffer) { buffer throws(RPCError) in
            buffer.writeInteger(methodRef)
            if let methodName {
                let utf8 = methodName.utf8.prefix(Int(UInt8.max))
                buffer.writeInteger(UInt8(utf8.count))
                buffer.writeBytes(utf8)
            }
            if let timeoutMilliseconds { buffer.writeInteger(timeoutMilliseconds) }
            if !metadata.isEmpty { try metadata.write(into: &buffer) }
            do throws(WireError) {
                try payload.encode(into: &buffer)
            } catch {
                throw RPCError(.resourceExhausted, "request cannot be encoded: \(error)")
            }
        }
    }
}
