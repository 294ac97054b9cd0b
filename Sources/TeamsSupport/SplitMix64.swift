/// A small, fast, seedable generator (SplitMix64, Steele, Lea and Flood 2014).
///
/// For choosing work in load generators and random values in tests, where the same
/// seed must give the same sequence and the system generator's cost would show. Not
/// for anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`, for a positive `bound`, with the slight bias of a
    /// modulo: cheaper than `Int.random(in:using:)`, and fine for picking work.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(\(bound)): the bound must be positive")
        return Int(next() % UInt64(bound))
    }
}
