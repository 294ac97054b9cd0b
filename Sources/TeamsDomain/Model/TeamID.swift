/// A team's identifier in the xid format (github.com/rs/xid).
///
/// 12 bytes: a 4-byte big-endian Unix time in seconds, a 3-byte machine id, a
/// 2-byte process id and a 3-byte counter. Its text form is 20 characters of
/// lower-case base32hex (`0-9a-v`), which sorts in creation order. Ids written by
/// the original Go service parse unchanged.
public struct TeamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes 0...7, big-endian.
    private let high: UInt64
    /// Bytes 8...11, big-endian.
    private let low: UInt32

    public static let encodedLength = 20
    private static let alphabet: StaticString = "0123456789abcdefghijklmnopqrstuv"

    /// Builds an id from its 12 raw bytes; `nil` unless there are exactly 12.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        var high: UInt64 = 0
        var low: UInt32 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt32(byte) }
        }
        self.high = high
        self.low = low
    }

    /// Parses the 20-character text form; `nil` for any other length, any character
    /// outside `0-9a-v`, or non-zero padding bits (which would not encode back the same).
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == Self.encodedLength else { return nil }
        var value: UInt128 = 0
        for character in text.utf8 {
            guard let digit = Self.decode(character) else { return nil }
            value = value << 5 | UInt128(digit)
        }
        guard value & 0xF == 0 else { return nil }
        self.high = UInt64(truncatingIfNeeded: value >> 36)
        self.low = UInt32(truncatingIfNeeded: value >> 4)
    }

    /// The 12 raw bytes.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * UInt32($0))) }
    }

    /// Seconds since the Unix epoch when the id was made.
    public var timestamp: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

    public var description: String {
        withUTF8 { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the 20-character text form as ASCII bytes, without making a String.
    public func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        // 96 bits plus 4 zero bits of padding make twenty 5-bit digits.
        let value = UInt128(high) << 36 | UInt128(low) << 4
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.encodedLength) { output in
            for index in 0..<Self.encodedLength {
                let digit = Int(truncatingIfNeeded: value >> (95 - 5 * index)) & 0x1F
                output[index] = Self.alphabet.utf8Start[digit]
            }
            return try body(UnsafeBufferPointer(output))
        }
    }

    public static func < (lhs: TeamID, rhs: TeamID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    private static func decode(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "v"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
