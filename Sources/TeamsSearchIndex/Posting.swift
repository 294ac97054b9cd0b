/// One key in an `OrderedPostings`: its slot in the `SearchIndex`, with the first 8
/// bytes of its name key, which order most postings without reading the key, and a
/// signature of its bytes, which rules out most keys that cannot hold a term, again
/// without reading it.
struct Posting: Sendable {
    /// The name key's first 8 bytes, big-endian, zero after its end. Name keys hold no
    /// NUL, so equal prefixes mean keys that agree on their first 8 bytes, or equal keys.
    var prefix: UInt64
    var slot: UInt32
    /// A bit per byte and per pair of adjacent bytes of the key (`signature(of:)`).
    var signature: UInt32

    init(slot: UInt32, nameKey bytes: [UInt8]) {
        self.slot = slot
        prefix = 0
        for index in 0..<8 { prefix = prefix << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
        signature = Self.signature(of: bytes)
    }

    /// A term's bytes can only occur in a key whose signature holds every bit of the
    /// term's: each byte and each adjacent pair sets one bit of 32.
    static func signature(of bytes: [UInt8]) -> UInt32 {
        var signature: UInt32 = 0
        for index in bytes.indices {
            signature |= 1 << ((UInt32(bytes[index]) &* 0x9E37_79B1) >> 27)
            if index > 0 {
                let pair = UInt32(bytes[index - 1]) << 8 | UInt32(bytes[index])
                signature |= 1 << ((pair &* 0x85EB_CA77) >> 27)
            }
        }
        return signature
    }
}
