/// For every string of 2 and of 3 bytes (a gram), the postings of the `SearchIndex`
/// keys whose UTF-8 holds it, in search order: a term of 2 or more bytes reads the list
/// of its rarest gram from the cursor, which holds every match in order.
///
/// Grams are hashed into `2^bucketBits` lists, so however many distinct grams names
/// hold, there are at most that many lists; a list may hold another gram's keys too,
/// which the walk's test rules out. A key longer than `listedKeyBytes` is listed once,
/// in `unlisted`, which every such read merges in: no key costs more than a constant
/// number of postings.
struct GramPostings: Sendable {
    static let listedKeyBytes = 48

    /// Lists are numbered by the top `bucketBits` bits of a gram's hash.
    let bucketBits: Int

    init(bucketBits: Int = 20) {
        precondition((1...24).contains(bucketBits))
        self.bucketBits = bucketBits
    }

    private(set) var lists: [UInt32: OrderedPostings] = [:]
    private(set) var unlisted = OrderedPostings()

    mutating func add(_ posting: Posting, _ bytes: [UInt8], keys: [SearchKey]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.insert(posting, keys: keys) }
        for gram in buckets(of: bytes) { lists[gram, default: OrderedPostings()].insert(posting, keys: keys) }
    }

    /// Adds a posting after every other in its lists (building in search order).
    mutating func append(_ posting: Posting, _ bytes: [UInt8]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.append(posting) }
        for gram in buckets(of: bytes) { lists[gram, default: OrderedPostings()].append(posting) }
    }

    mutating func remove(_ posting: Posting, _ bytes: [UInt8], keys: [SearchKey]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.remove(posting, keys: keys) }
        for gram in buckets(of: bytes) {
            lists[gram]?.remove(posting, keys: keys)
            if lists[gram]?.isEmpty == true { lists[gram] = nil }
        }
    }

    /// The shortest list among the term's grams of `min(3, term.count)`
    /// bytes (a term of at least 2); an empty one when a gram is listed nowhere.
    func rarestList(for term: [UInt8]) -> OrderedPostings {
        let size = min(3, term.count)
        var rarest: OrderedPostings?
        for start in 0...(term.count - size) {
            guard let list = lists[bucket(Self.gram(term[start..<(start + size)]))] else { return OrderedPostings() }
            if list.count < rarest?.count ?? .max { rarest = list }
        }
        return rarest ?? OrderedPostings()
    }

    /// The distinct lists that the grams of 2 and 3 bytes of `bytes` fall in.
    func buckets(of bytes: [UInt8]) -> [UInt32] {
        var grams: [UInt32] = []
        grams.reserveCapacity(2 * bytes.count)
        for size in 2...3 where size <= bytes.count {
            for start in 0...(bytes.count - size) { grams.append(bucket(Self.gram(bytes[start..<(start + size)]))) }
        }
        grams.sort()
        var distinct = 0
        for index in grams.indices where distinct == 0 || grams[distinct - 1] != grams[index] {
            grams[distinct] = grams[index]
            distinct += 1
        }
        grams.removeLast(grams.count - distinct)
        return grams
    }

    /// The list `gram` falls in.
    func bucket(_ gram: UInt32) -> UInt32 { (gram &* 0x9E37_79B1) >> UInt32(32 - bucketBits) }

    /// Two or three bytes and their count in one number, so grams of different sizes
    /// never share a code.
    static func gram(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var code = UInt32(bytes.count) << 24
        for (shift, byte) in zip([16, 8, 0], bytes) { code |= UInt32(byte) << UInt32(shift) }
        return code
    }
}
