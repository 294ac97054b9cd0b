import NIOCore

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

    /// The head that ends a call with `error`'s status and message.
    public init(_ error: RPCError, metadata: Metadata = Metadata()) {
        self.init(status: error.code, message: error.message, metadata: metadata)
    }

    /// - Throws: `RPCError(.internal)` when the head is cut short.
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
            do throws(RPCError) {
                head.metadata = try Metadata.read(from: &body)
            } catch {
                throw RPCError(.internal, "response \(error.message)")
            }
        }
        return head
    }

    var flags: FrameFlags {
        var flags: FrameFlags = []
        if !message.isEmpty { flags.insert(.statusMessage) }
        if !metadata.isEmpty { flags.insert(.metadata) }
        return flags
    }

    /// Appends a whole RESPONSE frame: this head, then `payload`'s encoding. A head
    /// that is only a status, as almost every OK is, goes in the payload's run of
    /// bytes: one ByteBuffer write for the frame; one with a message or metadata is
    /// written first, then the payload.
    /// - Throws: `RPCError(.resourceExhausted)` when the payload is too large to
    ///   encode, or what `writeFrame(callID:into:payload:)` throws; `buffer` is then unchanged.
    @inlinable
    public func writeFrame(callID: UInt32, into buffer: inout ByteBuffer, packing payload: some PackedEncoding) throws(RPCError) {
        guard message.isEmpty, metadata.isEmpty else {
            return try writeFrame(callID: callID, into: &buffer) { buffer throws(RPCError) in
                do throws(WireError) {
                    try payload.encode(into: &buffer)
                } catch {
                    throw Self.unencodable(error)
                }
            }
        }
        let status = status.rawValue
        do throws(WireError) {
            try payload.encode(into: &buffer, prefixLength: Frame.headerSize + 1) { writer, payloadSize in
                // The length counts what follows it: type, flags, call id, status and payload.
                writer.bigEndian(UInt32(Frame.headerSize - 4 + 1 + payloadSize))
                writer.bigEndian(FrameType.response.rawValue)
                writer.bigEndian(FrameFlags().rawValue)
                writer.bigEndian(callID)
                writer.bigEndian(status)
            }
        } catch {
            throw Self.unencodable(error)
        }
    }

    @usableFromInline
    static func unencodable(_ error: WireError) -> RPCError {
        RPCError(.resourceExhausted, "the response cannot be encoded: \(error)")
    }

    /// Appends a whole RESPONSE frame: this head, then `payload` if there is one.
    /// - Throws: what `payload` throws, or `RPCError(.internal)` for metadata over
    ///   64 KiB; `buffer` is then unchanged.
    public func writeFrame(callID: UInt32, into buffer: inout ByteBuffer, payload: ((inout ByteBuffer) throws(RPCError) -> Void)? = nil) throws(RPCError) {
        try appendFrame(type: .response, flags: flags, callID: callID, into: &buffer) { buffer throws(RPCError) in
            buffer.writeInteger(status.rawValue)
            if !message.isEmpty {
                // At most 64 KiB - 1 bytes, cut at a character boundary.
                var utf8 = Substring(message).utf8.prefix(Int(UInt16.max))
                while String(utf8) == nil { utf8 = utf8.dropLast() }
                buffer.writeInteger(UInt16(utf8.count))
                buffer.writeBytes(utf8)
            }
            if !metadata.isEmpty {
                do throws(RPCError) {
                    try metadata.write(into: &buffer)
                } catch {
                    throw RPCError(.internal, "response \(error.message)")
                }
            }
            try payload?(&buffer)
        }
    }
}
