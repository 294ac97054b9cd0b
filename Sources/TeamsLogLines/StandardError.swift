#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The process's stderr, written only whole: one caller's bytes at a time, so lines
/// from several threads never interleave, however long a batch of lines is (a pipe
/// keeps only writes of up to `PIPE_BUF` bytes whole by itself).
public enum StandardError {
    private static let lock = Mutex(())

    /// Writes all of `bytes`, however many `write(2)` calls that takes; a failed write drops the rest.
    public static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { bytes in
            lock.withLock { _ in
                var written = 0
                while written < bytes.count {
                    let result = unistdWrite(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
                    if result > 0 {
                        written += result
                    } else if result < 0, errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }

    private static func unistdWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }
}
