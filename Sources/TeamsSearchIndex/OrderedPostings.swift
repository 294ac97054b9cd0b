/// Postings in search order, in chunks of at most `chunkCapacity`, so that an
/// insertion or removal moves at most one chunk's postings and a few chunk
/// references, however many there are.
///
/// Postings are compared by their prefixes, and only when those are equal by their
/// keys, read from `keys`, the index's table of keys by slot, which every call is handed.
struct OrderedPostings: Sendable {
    static let chunkCapacity = 128

    private(set) var chunks: [[Posting]] = []
    /// The last posting of each chunk, for finding a chunk without reading it.
    private var lasts: [Posting] = []

    private(set) var count = 0
    var isEmpty: Bool { count == 0 }

    /// A place in the order: a chunk and an index in it.
    struct Position {
        var chunk: Int
        var index: Int
    }

    /// Builds the postings from ones already in search order.
    init(sorted: [Posting] = []) {
        var start = 0
        while start < sorted.count {
            let end = min(sorted.count, start + Self.chunkCapacity)
            chunks.append(Array(sorted[start..<end]))
            lasts.append(sorted[end - 1])
            start = end
        }
        count = sorted.count
    }

    /// Adds a posting after every other, which must sort before it (building in order).
    mutating func append(_ posting: Posting) {
        count += 1
        if chunks.isEmpty || chunks[chunks.count - 1].count == Self.chunkCapacity {
            chunks.append([posting])
            lasts.append(posting)
        } else {
            chunks[chunks.count - 1].append(posting)
            lasts[lasts.count - 1] = posting
        }
    }

    mutating func insert(_ posting: Posting, keys: [SearchKey]) {
        guard !chunks.isEmpty else { return append(posting) }
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        let chunk = min(Self.first(in: lasts, where: notBelow), chunks.count - 1)
        chunks[chunk].insert(posting, at: Self.first(in: chunks[chunk], where: notBelow))
        count += 1
        if chunks[chunk].count > Self.chunkCapacity {
            let upper = Array(chunks[chunk][(Self.chunkCapacity / 2)...])
            chunks[chunk].removeLast(upper.count)
            chunks.insert(upper, at: chunk + 1)
            lasts.insert(upper[upper.count - 1], at: chunk + 1)
        }
        lasts[chunk] = chunks[chunk][chunks[chunk].count - 1]
    }

    /// Removes `posting`, as it was inserted.
    mutating func remove(_ posting: Posting, keys: [SearchKey]) {
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        let chunk = Self.first(in: lasts, where: notBelow)
        guard chunk < chunks.count else { return }
        let index = Self.first(in: chunks[chunk], where: notBelow)
        guard index < chunks[chunk].count, chunks[chunk][index].slot == posting.slot else { return }
        chunks[chunk].remove(at: index)
        count -= 1
        if chunks[chunk].isEmpty {
            chunks.remove(at: chunk)
            lasts.remove(at: chunk)
        } else {
            lasts[chunk] = chunks[chunk][chunks[chunk].count - 1]
        }
    }

    /// The first position whose key sorts after `cursor` (the start for `nil`).
    func position(after cursor: (posting: Posting, key: SearchKey)?, keys: [SearchKey]) -> Position {
        guard let cursor else { return Position(chunk: 0, index: 0) }
        let above = { (other: Posting) in
            other.prefix != cursor.posting.prefix ? other.prefix > cursor.posting.prefix : cursor.key < keys[Int(other.slot)]
        }
        let chunk = Self.first(in: lasts, where: above)
        guard chunk < chunks.count else { return Position(chunk: chunks.count, index: 0) }
        return Position(chunk: chunk, index: Self.first(in: chunks[chunk], where: above))
    }

    /// The posting at `position`, or nil past the end.
    func posting(at position: Position) -> Posting? {
        position.chunk < chunks.count ? chunks[position.chunk][position.index] : nil
    }

    /// The position after `position`, which must not be past the end.
    func advance(_ position: Position) -> Position {
        position.index + 1 < chunks[position.chunk].count
            ? Position(chunk: position.chunk, index: position.index + 1) : Position(chunk: position.chunk + 1, index: 0)
    }

    /// All postings in order (tests).
    var postings: [Posting] { chunks.flatMap { $0 } }

    static func precedes(_ lhs: Posting, _ rhs: Posting, _ keys: [SearchKey]) -> Bool {
        if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
        return lhs.slot != rhs.slot && keys[Int(lhs.slot)] < keys[Int(rhs.slot)]
    }

    /// The first index of `postings` for which `predicate` holds; it must hold for all
    /// after that one.
    private static func first(in postings: [Posting], where predicate: (Posting) -> Bool) -> Int {
        var (low, high) = (0, postings.count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(postings[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
