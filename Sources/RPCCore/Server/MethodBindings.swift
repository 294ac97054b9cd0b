/// The method refs a connection's client has bound, each to an index of the `MethodTable`.
///
/// Every request routed by ref looks one up, so the refs clients use, small ones
/// counted up from 1, are an array index rather than a hashed key, which costs a
/// measurable share of a cheap call (docs/PERFORMANCE.md). Any other ref still
/// binds, in a dictionary.
struct MethodBindings {
    /// Refs below this are kept in `small`.
    static let smallRefLimit = 256

    /// `small[ref]` is the method index bound to `ref`, or -1; grown only as far as the largest small ref bound.
    private var small: [Int32] = []
    private var large: [UInt16: Int] = [:]

    /// The method index bound to `ref`, nil when `ref` is unbound.
    subscript(ref: UInt16) -> Int? {
        let slot = Int(ref)
        if slot < small.count {
            let index = small[slot]
            return index < 0 ? nil : Int(index)
        }
        return slot < Self.smallRefLimit ? nil : large[ref]
    }

    /// Binds `ref` to method `index`, replacing what it was bound to.
    mutating func bind(_ ref: UInt16, to index: Int) {
        let slot = Int(ref)
        guard slot < Self.smallRefLimit else {
            large[ref] = index
            return
        }
        if slot >= small.count { small.append(contentsOf: repeatElement(-1, count: slot + 1 - small.count)) }
        small[slot] = Int32(index)
    }
}
