#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unix time, for event timestamps and id timestamps. Injected so tests can fix it.
public struct WallClock: Sendable {
    public var milliseconds: @Sendable () -> Int64

    public init(milliseconds: @escaping @Sendable () -> Int64) {
        self.milliseconds = milliseconds
    }

    public static let system = WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

extension TeamIDGenerator {
    /// A generator for this process: machine bytes hashed from the host name, the
    /// process id, and the system clock.
    public static func forThisProcess(clock: WallClock = .system) -> TeamIDGenerator {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        // FNV-1a; rs/xid uses MD5 of the host id, but any stable 3 bytes will do.
        var hash: UInt32 = 2_166_136_261
        for byte in host.prefix(while: { $0 != 0 }) {
            hash = (hash ^ UInt32(UInt8(bitPattern: byte))) &* 16_777_619
        }
        return TeamIDGenerator(
            machineID: (UInt8(truncatingIfNeeded: hash >> 16), UInt8(truncatingIfNeeded: hash >> 8), UInt8(truncatingIfNeeded: hash)),
            processID: UInt16(truncatingIfNeeded: getpid()),
            now: { UInt32(truncatingIfNeeded: clock.milliseconds() / 1000) }
        )
    }
}
