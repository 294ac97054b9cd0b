import NIOCore

/// Another protocol, recognised from the first bytes a peer sends, so that a client
/// pointed at the wrong kind of port is told what it reached instead of waiting for a
/// frame that never comes.
public enum ForeignProtocol: Sendable, Hashable {
    /// A TLS record: a handshake (0x16) or an alert (0x15), version 3.x.
    case tls
    /// An HTTP/1 response (`HTTP/`) or request (`GET `, `POST`, `HEAD`, `PUT `, `PRI `).
    case http

    /// What `bytes`, the start of a stream, are, if they are one of these. Read as a
    /// frame length, each start is hundreds of MiB, so only a length above the
    /// receiver's limit (`maximumFrameLength`), which could not be a frame anyway,
    /// is taken for another protocol. Needs the first 4 bytes.
    public static func recognize(_ bytes: ByteBuffer, maximumFrameLength: UInt32) -> ForeignProtocol? {
        guard let start = bytes.getInteger(at: bytes.readerIndex, as: UInt32.self), start > maximumFrameLength else { return nil }
        if start >> 16 == 0x1603 || start >> 16 == 0x1503 { return .tls }
        return httpStarts.contains(start) ? .http : nil
    }

    /// `HTTP`, `GET `, `POST`, `HEAD`, `PUT `, `PRI ` as big-endian integers.
    private static let httpStarts: Set<UInt32> = Set(["HTTP", "GET ", "POST", "HEAD", "PUT ", "PRI "].map { word in
        word.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    })
}
