import NIOCore

/// Where a connection's bytes go: a socket, or the other end of an in-process pipe.
///
/// The RPC core knows no transport. A transport makes a `ServerConnection` or a
/// client `RPCConnection` for each connection it carries, feeds it the bytes it
/// reads, and gives it one of these to write through. Every method is called on
/// the connection's event loop.
package protocol ConnectionOutput: AnyObject {
    /// Writes `bytes` and flushes them.
    func write(_ bytes: ByteBuffer)
    /// Bytes written but not yet taken by the peer, for back-pressure on streams.
    var bufferedBytes: Int { get }
    /// Writes `bytes` (which may be empty), then closes the connection.
    func close(after bytes: ByteBuffer)
}
