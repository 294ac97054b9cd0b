/// For every string of 3 bytes (a gram), the postings of the `SearchIndex` keys whose
/// UTF-8 holds it, in search order, and for every 2 bytes, those of the keys that end
/// with them (an end gram). A term of 3 or more bytes reads the list of its rarest gram
/// from the cursor, which holds every match in order. A term of 2 bytes is in a key
/// either before a third byte or at its end: it reads the lists of the grams it starts
/// and of its end gram, merged.
///
/// Without lists of every 2 bytes, a key of n bytes is in n - 1 lists, not 2n - 3:
/// each addition reads a list that is likely not in cache, and they are most of what
/// indexing a new name costs. Lists are read through `rarestList` and `lists(startingWith:)`,
/// which put them in order first.
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

    /// The lists by bucket: a table rather than a dictionary, so that finding a list
    /// reads one entry. Empty until the first key is listed, so an empty index costs
    /// nothing.
    private var lists: [OrderedPostings] = []
    private(set) var unlisted = OrderedPostings()

    /// Lists that hold a posting (tests).
    var listCount: Int { lists.count(where: { !$0.isEmpty }) }

    mutating func add(_ posting: Posting, _ bytes: [UInt8], keys: [SearchKey]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.insert(posting, keys: keys) }
        allocateLists()
        for bucket in buckets(of: bytes) { lists[Int(bucket)].add(posting, keys: keys) }
    }

    /// Adds a posting after every other in its lists (building in search order).
    mutating func append(_ posting: Posting, _ bytes: [UInt8]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.append(posting) }
        allocateLists()
        for bucket in buckets(of: bytes) { lists[Int(bucket)].append(posting) }
    }

    mutating func remove(_ posting: Posting, _ bytes: [UInt8], keys: [SearchKey]) {
        guard bytes.count <= Self.listedKeyBytes else { return unlisted.remove(posting, keys: keys) }
        guard !lists.isEmpty else { return }
        for bucket in buckets(of: bytes) { lists[Int(bucket)].remove(posting, keys: keys) }
    }

    private mutating func allocateLists() {
        if lists.isEmpty { lists = Array(repeating: OrderedPostings(), count: 1 << bucketBits) }
    }

    /// How many postings the list of `bucket` holds, without copying it.
    private func count(_ bucket: UInt32) -> Int {
        lists.isEmpty ? 0 : lists[Int(bucket)].count
    }

    /// The list of `bucket`, put in order for reading.
    private mutating func orderedList(_ bucket: UInt32, keys: [SearchKey]) -> OrderedPostings {
        guard !lists.isEmpty else { return OrderedPostings() }
        if !lists[Int(bucket)].isOrdered { lists[Int(bucket)].putInOrder(keys: keys) }
        return lists[Int(bucket)]
    }

    /// The shortest list among the term's grams (a term of at least 3 bytes), in order;
    /// an empty one when a gram is listed nowhere.
    mutating func rarestList(for term: [UInt8], keys: [SearchKey]) -> OrderedPostings {
        var rarest: (bucket: UInt32, count: Int)?
        for start in 0...(term.count - 3) {
            let bucket = bucket(Self.gram(term[start..<(start + 3)]))
            let count = count(bucket)
            guard count > 0 else { return OrderedPostings() }
            if count < rarest?.count ?? .max { rarest = (bucket, count) }
        }
        guard let rarest else { return OrderedPostings() }
        return orderedList(rarest.bucket, keys: keys)
    }

    /// The lists that every match of a 2-byte `pair` is in, in order: those of the grams
    /// that start with it, and of its end gram (each distinct list once).
    mutating func lists(startingWith pair: [UInt8], keys: [SearchKey]) -> [OrderedPostings] {
        let start = Self.gram(pair[...]) & 0x00FF_FF00 | 3 << 24  // `gram` of pair + [0]
        var buckets = (0...255).map { bucket(start | UInt32($0)) }
        buckets.append(bucket(Self.gram(pair[...])))
        buckets.sort()
        var found: [OrderedPostings] = []
        for index in buckets.indices where index == 0 || buckets[index - 1] != buckets[index] {
            if count(buckets[index]) > 0 { found.append(orderedList(buckets[index], keys: keys)) }
        }
        return found
    }

    /// The distinct lists that the grams of `bytes` fall in: each 3 bytes, and the last
    /// 2 bytes as its end gram.
    func buckets(of bytes: [UInt8]) -> [UInt32] {
        var grams: [UInt32] = []
        guard bytes.count >= 2 else { return grams }
        grams.reserveCapacity(bytes.count)
        if bytes.count >= 3 {
            for start in 0...(bytes.count - 3) { grams.append(bucket(Self.gram(bytes[start..<(start + 3)]))) }
        }
        grams.append(bucket(Self.gram(bytes[(bytes.count - 2)...])))
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

    /// Two (an end gram) or three bytes and their count in one number, so that the two
    /// kinds never share a code.
    static func gram(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var code = UInt32(bytes.count) << 24
        var shift: UInt32 = 16
        for byte in bytes.prefix(3) {
            code |= UInt32(byte) << shift
            shift &-= 8
        }
        return code
    }
}
