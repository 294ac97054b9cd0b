import NIOCore

/// Call metadata: ordered key/value pairs sent with a request or a response.
///
/// Keys are compared as given; by convention they are lower-case ASCII. The server
/// echoes a request's `request-id` in its response. On the wire it is a u16 length
/// and a protobuf `teams.rpc.v1.Metadata`, so at most 64 KiB - 1 bytes.
public struct Metadata: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    public static let requestIDKey = "request-id"

    /// The generated protobuf message metadata travels as.
    public typealias Message = Teams_Rpc_V1_Metadata

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { Entry(key: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The first value for `key`.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    public mutating func append(_ key: String, _ value: String) {
        entries.append(Entry(key: key, value: value))
    }

    /// Reads a u16 length and the protobuf that follows it.
    /// - Throws: `RPCError(.invalidArgument)` when it is cut short or does not decode.
    static func read(from body: inout ByteBuffer) throws(RPCError) -> Metadata {
        guard let length = body.readInteger(as: UInt16.self), let bytes = body.readSlice(length: Int(length)) else {
            throw RPCError(.invalidArgument, "frame too short for its metadata")
        }
        do {
            let message = try Message(decoding: bytes)
            return Metadata(message.entries.map { ($0.key, $0.value) })
        } catch {
            throw RPCError(.invalidArgument, "metadata does not decode: \(error)")
        }
    }

    /// Writes a u16 length and the protobuf.
    /// - Throws: `RPCError(.invalidArgument)` when it encodes to more than 64 KiB - 1
    ///   bytes; `buffer` is then unchanged.
    func write(into buffer: inout ByteBuffer) throws(RPCError) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        let message = Message(entries: entries.map { Message.Entry(key: $0.key, value: $0.value) })
        do {
            try message.encode(into: &buffer)
        } catch {
            buffer.moveWriterIndex(to: lengthIndex)
            throw RPCError(.invalidArgument, "metadata cannot be encoded: \(error)")
        }
        let length = buffer.writerIndex - lengthIndex - 2
        guard length <= Int(UInt16.max) else {
            buffer.moveWriterIndex(to: lengthIndex)
            throw RPCError(.invalidArgument, "metadata of \(length) bytes is over the limit of \(UInt16.max)")
        }
        buffer.setInteger(UInt16(length), at: lengthIndex)
    }
}
