import Synchronization

/// Makes new `TeamID`s the way rs/xid does: time, machine, process, counter.
///
/// Ids from one generator are unique and increase within a second; ids from
/// different processes differ in their machine or process bytes.
public final class TeamIDGenerator: Sendable {
    private let machine: (UInt8, UInt8, UInt8)
    private let process: UInt16
    private let counter: Atomic<UInt32>
    private let now: @Sendable () -> UInt32

    /// - Parameters:
    ///   - machineID: 3 bytes naming this host (rs/xid hashes the host id into them).
    ///   - processID: the process id, truncated to 16 bits.
    ///   - counterStart: where the 24-bit counter begins; rs/xid starts at a random value.
    ///   - now: Unix time in seconds.
    public init(
        machineID: (UInt8, UInt8, UInt8),
        processID: UInt16,
        counterStart: UInt32 = UInt32.random(in: 0..<(1 << 24)),
        now: @escaping @Sendable () -> UInt32
    ) {
        self.machine = machineID
        self.process = processID
        self.counter = Atomic(counterStart)
        self.now = now
    }

    public func next() -> TeamID {
        let time = now()
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let bytes: [UInt8] = [
            UInt8(truncatingIfNeeded: time >> 24), UInt8(truncatingIfNeeded: time >> 16),
            UInt8(truncatingIfNeeded: time >> 8), UInt8(truncatingIfNeeded: time),
            machine.0, machine.1, machine.2,
            UInt8(truncatingIfNeeded: process >> 8), UInt8(truncatingIfNeeded: process),
            UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8),
            UInt8(truncatingIfNeeded: count),
        ]
        return TeamID(bytes: bytes)!
    }
}
