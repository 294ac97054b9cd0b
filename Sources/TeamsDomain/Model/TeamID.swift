/// A team's identifier in the xid format (github.com/rs/xid).
///
/// 12 bytes: a 4-byte big-endian Unix time in seconds, a 3-byte machine id, a
/// 2-byte process id and a 3-byte counter. Its text form is 20 characters of
/// lower-case base32hex (`0-9a-v`), which sorts in creation order. Ids written by
/// the original Go service parse unchanged.
public struct TeamID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes 0...7, big-endian.
    @usableFromInline let high: UInt64
    /// Bytes 8...11, big-endian.
    @usableFromInline let low: UInt32

    public static let encodedLength = 20

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
        self.init(utf8: text.utf8)
    }

    /// What keeps `text` from being an id, in words for the caller; `nil` when it is one.
    public static func problem(with text: some StringProtocol) -> String? {
        let characters = Array(text)
        guard characters.count == encodedLength else {
            return "must be \(encodedLength) characters of 0-9 and a-v (an xid), got \(characters.count)"
        }
        if let (offset, character) = characters.enumerated().first(where: { !("0"..."9" ~= $0.element || "a"..."v" ~= $0.element) }) {
            return "must be 20 characters of 0-9 and a-v (an xid); character \(offset + 1) is \"\(character)\""
        }
        guard TeamID(text) != nil else {
            return "ends in \"\(characters.last!)\", but an xid's last character is 0 or g (its last 4 bits are zero padding)"
        }
        return nil
    }

    /// Parses the text form from its UTF-8 bytes, as `init?(_:)` does, without making a String.
    /// Inlinable, so a caller's bytes reach the parser with no generic metadata to look up.
    @inlinable
    public init?(utf8: some Collection<UInt8>) {
        // Contiguous bytes (a String's, a buffer's) are read in place; others are copied once.
        guard let parsed = utf8.withContiguousStorageIfAvailable(Self.parse) ?? Array(utf8).withUnsafeBufferPointer(Self.parse) else {
            return nil
        }
        self = parsed
    }

    private init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    /// The text is 100 bits in twenty 5-bit digits: 96 bits of id, then 4 zero bits of
    /// padding. The first 12 digits are `high`'s top 60 bits; the last 8 are its low 4
    /// bits, `low`, and the padding. Two 64-bit halves, so no 128-bit arithmetic.
    @usableFromInline
    static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> TeamID? {
        guard utf8.count == encodedLength else { return nil }
        var first: UInt64 = 0
        var second: UInt64 = 0
        // Invalid characters decode to 0xFF; OR-ing every digit finds one with a single test.
        var seen: UInt8 = 0
        for index in 0..<12 {
            let digit = decode(utf8[index])
            seen |= digit
            first = first << 5 | UInt64(digit & 0x1F)
        }
        for index in 12..<encodedLength {
            let digit = decode(utf8[index])
            seen |= digit
            second = second << 5 | UInt64(digit & 0x1F)
        }
        guard seen < 32, second & 0xF == 0 else { return nil }
        return TeamID(high: first << 4 | second >> 36, low: UInt32(truncatingIfNeeded: second >> 4))
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
    ///
    /// Inlinable, so a response packer gets it specialised, on the stack, with no
    /// generic metadata to look up.
    @inlinable
    public func withUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let first = high >> 4
        let second = (high & 0xF) << 36 | UInt64(low) << 4
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.encodedLength) { output in
            for index in 0..<12 {
                output[index] = Self.encode(UInt8(truncatingIfNeeded: first >> (55 - 5 * UInt64(index))) & 0x1F)
            }
            for index in 0..<8 {
                output[12 + index] = Self.encode(UInt8(truncatingIfNeeded: second >> (35 - 5 * UInt64(index))) & 0x1F)
            }
            return try body(UnsafeBufferPointer(output))
        }
    }

    public static func < (lhs: TeamID, rhs: TeamID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// A digit of base32hex: `0-9`, then `a-v`.
    @inlinable
    static func encode(_ digit: UInt8) -> UInt8 {
        digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit
    }

    /// A character's digit, or 0xFF outside `0-9a-v`. Without branches: ids are
    /// random, so a branch on digit or letter would be mispredicted half the time.
    private static func decode(_ character: UInt8) -> UInt8 {
        let asDigit = character &- UInt8(ascii: "0")
        let asLetter = character &- UInt8(ascii: "a")
        let value = asDigit < 10 ? asDigit : asLetter &+ 10
        return asDigit < 10 || asLetter < 22 ? value : 0xFF
    }
}
