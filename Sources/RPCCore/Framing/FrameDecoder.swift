import NIOCore

/// Splits a byte stream into frames, enforcing the maximum frame size.
///
/// Bytes arrive in arbitrary fragments; complete frames come out, in order:
///
///     +----+--------+    +--------+-----+----+      +-------+ +-------+ +-------+
///     | A: | A body | -> | ... B  | C:  | C  |  ->  |   A   | |   B   | |   C   |
///     +----+--------+    +--------+-----+----+      +-------+ +-------+ +-------+
///
/// A frame whose length exceeds `maximumFrameLength` is never buffered. Once its
/// 10-byte header has arrived the decoder emits `.oversized` (so the receiver can
/// fail that call with RESOURCE_EXHAUSTED) and then discards the body as it
/// arrives; the frames after it decode normally.
///
/// - Throws: `FrameDecoderError.lengthTooSmall` when a length is below 6, which
///   means the peer is not speaking this protocol; the stream cannot be resynchronised.
///   `FrameDecoderError.truncated` when the stream ends inside a frame.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public enum Event: Sendable, Hashable {
        case frame(Frame)
        /// A frame longer than the limit; its body is being skipped.
        case oversized(type: FrameType, callID: UInt32, length: UInt32)
    }
    public typealias InboundOut = Event

    /// The largest `length` accepted. The default is 4 MiB.
    public let maximumFrameLength: UInt32
    /// Body bytes of an oversized frame still to be discarded.
    private var bytesToSkip: Int = 0

    /// Whether an oversized frame's body is being discarded: the stream is inside a frame.
    public var isSkipping: Bool { bytesToSkip > 0 }

    public static let defaultMaximumFrameLength: UInt32 = 4 << 20

    public init(maximumFrameLength: UInt32 = FrameDecoder.defaultMaximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Event? {
        if bytesToSkip > 0 {
            let skipped = min(bytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bytesToSkip -= skipped
            if bytesToSkip > 0 { return nil }
        }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= Frame.minimumLength else { throw FrameDecoderError.lengthTooSmall(length) }

        if length > maximumFrameLength {
            guard buffer.readableBytes >= Frame.headerSize else { return nil }
            buffer.moveReaderIndex(forwardBy: 4)
            let type = FrameType(rawValue: buffer.readInteger(as: UInt8.self)!)
            buffer.moveReaderIndex(forwardBy: 1)
            let callID = buffer.readInteger(as: UInt32.self)!
            bytesToSkip = Int(length - Frame.minimumLength)
            let skipped = min(bytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bytesToSkip -= skipped
            return .oversized(type: type, callID: callID, length: length)
        }

        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        // One read for the header: each ByteBuffer read pays an exclusivity check.
        let (_, type, flags, callID) = buffer.readMultipleIntegers(as: (UInt32, UInt8, UInt8, UInt32).self)!
        let body = buffer.readSlice(length: Int(length - Frame.minimumLength))!
        return .frame(Frame(type: FrameType(rawValue: type), flags: FrameFlags(rawValue: flags), callID: callID, body: body))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Event? {
        if let event = try decode(buffer: &buffer) { return event }
        if buffer.readableBytes > 0 || bytesToSkip > 0 {
            throw FrameDecoderError.truncated(bufferedBytes: buffer.readableBytes)
        }
        return nil
    }
}

/// Why a byte stream cannot be split into frames.
public enum FrameDecoderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A length prefix below 6, too small to hold the type, flags and call id.
    case lengthTooSmall(UInt32)
    /// The stream ended in the middle of a frame.
    case truncated(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .lengthTooSmall(let length): "frame length \(length) is below the minimum of \(Frame.minimumLength)"
        case .truncated(let count): "connection closed inside a frame (\(count) bytes buffered)"
        }
    }
}
