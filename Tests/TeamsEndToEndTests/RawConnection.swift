import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket for sending hand-made bytes, as a foreign client would.
final class RawConnection {
    private let fd: Int32

    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { return nil }
            offset += got
        }
        return bytes
    }

    /// Reads until the peer closes (or the 10 s receive timeout).
    func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { return bytes }
            bytes += chunk[..<got]
        }
    }

    /// Reads one frame: (type, flags, call id, body).
    func readFrame() -> (type: UInt8, flags: UInt8, callID: UInt32, body: [UInt8])? {
        guard let prefix = read(4) else { return nil }
        let length = Int(prefix.reduce(0) { $0 << 8 | UInt32($1) })
        guard let rest = read(length) else { return nil }
        let callID = rest[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
        return (rest[0], rest[1], callID, Array(rest[6...]))
    }

    /// Reads a RESPONSE and returns its status code and message.
    func readStatus() -> (callID: UInt32, status: UInt8, message: String)? {
        guard let frame = readFrame(), frame.type == 2 else { return nil }
        var message = ""
        if frame.flags & 0x08 != 0 {
            let length = Int(frame.body[1]) << 8 | Int(frame.body[2])
            message = String(decoding: frame.body[3..<(3 + length)], as: UTF8.self)
        }
        return (frame.callID, frame.body[0], message)
    }

    /// A REQUEST frame naming its method, with ref 0.
    static func request(callID: UInt32, method: String, payload: [UInt8], lengthOverride: UInt32? = nil) -> [UInt8] {
        let name = Array(method.utf8)
        var body: [UInt8] = [1, 0x01] + bytes(callID) + [0, 0, UInt8(name.count)] + name + payload
        let length = lengthOverride ?? UInt32(body.count)
        body.insert(contentsOf: bytes(length), at: 0)
        return body
    }

    static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
