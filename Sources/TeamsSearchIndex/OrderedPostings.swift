/// Postings in search order, in chunks of at most `chunkCapacity`, so that an
/// insertion or removal moves at most one chunk's postings and a few chunk
/// references, however many there are.
///
/// Most gram lists are short, and an insertion's cost is the memory it reads that is
/// not in cache: a list that fits one chunk is that chunk alone, one allocation
/// behind one word. A longer one keeps its chunks beside the last posting of each,
/// so that finding a chunk reads one array.
///
/// Postings are compared by their prefixes, and only when those are equal by their
/// keys, read from `keys`, the index's table of keys by slot, which every call is handed.
struct OrderedPostings: Sendable {
    static let chunkCapacity = 128

    private struct Chunk: Sendable {
        /// The chunk's last posting, for finding a chunk without reading it.
        var last: Posting
        var postings: [Posting]
    }

    private enum Storage: Sendable {
        /// At most `chunkCapacity` postings.
        case single([Posting])
        /// More than one chunk, none empty.
        case chunked([Chunk])
    }

    private var storage = Storage.single([])

    private(set) var count = 0
    var isEmpty: Bool { count == 0 }

    /// A place in the order: a chunk and an index in it.
    struct Position {
        var chunk: Int
        var index: Int
    }

    /// Builds the postings from ones already in search order.
    init(sorted: [Posting] = []) {
        count = sorted.count
        guard sorted.count > Self.chunkCapacity else {
            storage = .single(sorted)
            return
        }
        var chunks: [Chunk] = []
        var start = 0
        while start < sorted.count {
            let end = min(sorted.count, start + Self.chunkCapacity)
            chunks.append(Chunk(last: sorted[end - 1], postings: Array(sorted[start..<end])))
            start = end
        }
        storage = .chunked(chunks)
    }

    /// Adds a posting after every other, which must sort before it (building in order).
    mutating func append(_ posting: Posting) {
        count += 1
        switch takeStorage() {
        case .single(var postings):
            if postings.count < Self.chunkCapacity {
                postings.append(posting)
                storage = .single(postings)
            } else {
                storage = .chunked([Chunk(last: postings[postings.count - 1], postings: postings), Chunk(last: posting, postings: [posting])])
            }
        case .chunked(var chunks):
            if chunks[chunks.count - 1].postings.count == Self.chunkCapacity {
                chunks.append(Chunk(last: posting, postings: [posting]))
            } else {
                chunks[chunks.count - 1].postings.append(posting)
                chunks[chunks.count - 1].last = posting
            }
            storage = .chunked(chunks)
        }
    }

    mutating func insert(_ posting: Posting, keys: [SearchKey]) {
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        count += 1
        switch takeStorage() {
        case .single(var postings):
            postings.insert(posting, at: Self.first(in: postings, where: notBelow))
            guard postings.count > Self.chunkCapacity else {
                storage = .single(postings)
                return
            }
            let upper = Array(postings[(Self.chunkCapacity / 2)...])
            postings.removeLast(upper.count)
            storage = .chunked([Chunk(last: postings[postings.count - 1], postings: postings), Chunk(last: upper[upper.count - 1], postings: upper)])
        case .chunked(var chunks):
            let chunk = min(Self.firstChunk(in: chunks, where: notBelow), chunks.count - 1)
            chunks[chunk].postings.insert(posting, at: Self.first(in: chunks[chunk].postings, where: notBelow))
            if chunks[chunk].postings.count > Self.chunkCapacity {
                let upper = Array(chunks[chunk].postings[(Self.chunkCapacity / 2)...])
                chunks[chunk].postings.removeLast(upper.count)
                chunks.insert(Chunk(last: upper[upper.count - 1], postings: upper), at: chunk + 1)
            }
            chunks[chunk].last = chunks[chunk].postings[chunks[chunk].postings.count - 1]
            storage = .chunked(chunks)
        }
    }

    /// Removes `posting`, as it was inserted.
    mutating func remove(_ posting: Posting, keys: [SearchKey]) {
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        let isPosting = { (postings: [Posting], index: Int) in index < postings.count && postings[index].slot == posting.slot }
        switch takeStorage() {
        case .single(var postings):
            let index = Self.first(in: postings, where: notBelow)
            if isPosting(postings, index) {
                postings.remove(at: index)
                count -= 1
            }
            storage = .single(postings)
        case .chunked(var chunks):
            defer { storage = chunks.count == 1 ? .single(chunks[0].postings) : .chunked(chunks) }
            let chunk = Self.firstChunk(in: chunks, where: notBelow)
            guard chunk < chunks.count else { return }
            let index = Self.first(in: chunks[chunk].postings, where: notBelow)
            guard isPosting(chunks[chunk].postings, index) else { return }
            chunks[chunk].postings.remove(at: index)
            count -= 1
            if chunks[chunk].postings.isEmpty {
                chunks.remove(at: chunk)
            } else {
                chunks[chunk].last = chunks[chunk].postings[chunks[chunk].postings.count - 1]
            }
        }
    }

    /// The first position whose key sorts after `cursor` (the start for `nil`).
    func position(after cursor: (posting: Posting, key: SearchKey)?, keys: [SearchKey]) -> Position {
        guard let cursor else { return Position(chunk: 0, index: 0) }
        let above = { (other: Posting) in
            other.prefix != cursor.posting.prefix ? other.prefix > cursor.posting.prefix : cursor.key < keys[Int(other.slot)]
        }
        switch storage {
        case .single(let postings):
            return Position(chunk: 0, index: Self.first(in: postings, where: above))
        case .chunked(let chunks):
            let chunk = Self.firstChunk(in: chunks, where: above)
            guard chunk < chunks.count else { return Position(chunk: chunks.count, index: 0) }
            return Position(chunk: chunk, index: Self.first(in: chunks[chunk].postings, where: above))
        }
    }

    /// The posting at `position`, or nil past the end.
    func posting(at position: Position) -> Posting? {
        switch storage {
        case .single(let postings):
            position.chunk == 0 && position.index < postings.count ? postings[position.index] : nil
        case .chunked(let chunks):
            position.chunk < chunks.count ? chunks[position.chunk].postings[position.index] : nil
        }
    }

    /// The position after `position`, which must not be past the end.
    func advance(_ position: Position) -> Position {
        let chunkCount: Int
        switch storage {
        case .single(let postings): chunkCount = postings.count
        case .chunked(let chunks): chunkCount = chunks[position.chunk].postings.count
        }
        return position.index + 1 < chunkCount ? Position(chunk: position.chunk, index: position.index + 1) : Position(chunk: position.chunk + 1, index: 0)
    }

    /// All postings in order (tests).
    var postings: [Posting] {
        switch storage {
        case .single(let postings): postings
        case .chunked(let chunks): chunks.flatMap(\.postings)
        }
    }

    /// How many chunks hold the postings (tests).
    var chunkCount: Int {
        switch storage {
        case .single: 1
        case .chunked(let chunks): chunks.count
        }
    }

    static func precedes(_ lhs: Posting, _ rhs: Posting, _ keys: [SearchKey]) -> Bool {
        if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
        return lhs.slot != rhs.slot && keys[Int(lhs.slot)] < keys[Int(rhs.slot)]
    }

    /// The storage, leaving an empty one behind, so that the arrays it holds are
    /// referenced once and change in place.
    private mutating func takeStorage() -> Storage {
        defer { storage = .single([]) }
        return storage
    }

    /// The first chunk whose last posting satisfies `predicate`.
    private static func firstChunk(in chunks: [Chunk], where predicate: (Posting) -> Bool) -> Int {
        first(in: chunks) { predicate($0.last) }
    }

    /// The first index of `elements` for which `predicate` holds; it must hold for all
    /// after that one.
    private static func first<Element>(in elements: [Element], where predicate: (Element) -> Bool) -> Int {
        var (low, high) = (0, elements.count)
        while low < high {
            let middle = (low + high) / 2
            if predicate(elements[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
