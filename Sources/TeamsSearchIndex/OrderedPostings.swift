/// Postings in search order, in chunks of at most `chunkCapacity`, so that an
/// insertion or removal moves at most one chunk's postings and a few chunk
/// references, however many there are.
///
/// Most gram lists are short, and an insertion's cost is the memory it reads that is
/// not in cache: a list that fits one chunk is that chunk alone, one allocation
/// behind one word. A longer one keeps its chunks beside the last posting of each,
/// so that finding a chunk reads one array.
///
/// An insertion or removal finds its place from a guess: where the posting's prefix falls
/// between the prefixes around it, as a fraction of the postings between them. The counts
/// that guess needs are kept beside the references, so the first reads of a chunk do not
/// wait for each other: a guess near the place reads one or two cache lines, where halving
/// reads one per step.
///
/// Postings are compared by their prefixes, and only when those are equal by their
/// keys, read from `keys`, the index's table of keys by slot, which every call is handed.
struct OrderedPostings: Sendable {
    static let chunkCapacity = 128

    private struct Chunk: Sendable {
        /// The chunk's last posting, for finding a chunk without reading it.
        var last: Posting
        /// `postings.count`, for guessing a place without reading it.
        var count: Int
        var postings: [Posting] {
            didSet {
                count = postings.count
                if let last = postings.last { self.last = last }
            }
        }

        init(_ postings: [Posting]) {
            last = postings[postings.count - 1]
            count = postings.count
            self.postings = postings
        }
    }

    private enum Storage: Sendable {
        /// At most `chunkCapacity` postings.
        case single([Posting])
        /// More than one chunk, none empty.
        case chunked([Chunk])
    }

    private var storage = Storage.single([]) {
        didSet {
            if case .chunked(let chunks) = storage { storedChunkCount = Int32(chunks.count) }
        }
    }

    /// How many postings are in order (in `storage`).
    private var storedCount: Int32 = 0
    /// How many chunks a `.chunked` storage holds.
    private var storedChunkCount: Int32 = 0
    /// Postings added (`add`) since the list was last put in order, in no order.
    private var unordered: [Posting] = []

    var count: Int { Int(storedCount) + unordered.count }
    var isEmpty: Bool { count == 0 }
    /// Whether every posting is in order, as reading the list needs (`putInOrder`).
    var isOrdered: Bool { unordered.isEmpty }

    /// Postings added out of order at most, before they are put in order: an eighth of
    /// the list, so that merging costs a few moves per posting, and at most 1,024, so that
    /// the read that puts them in order sorts few.
    private var unorderedLimit: Int { min(1024, max(16, Int(storedCount) / 8)) }

    /// A place in the order: a chunk and an index in it.
    struct Position {
        var chunk: Int
        var index: Int
    }

    /// Builds the postings from ones already in search order.
    init(sorted: [Posting] = []) {
        storedCount = Int32(sorted.count)
        guard sorted.count > Self.chunkCapacity else {
            storage = .single(sorted)
            return
        }
        var chunks: [Chunk] = []
        var start = 0
        while start < sorted.count {
            let end = min(sorted.count, start + Self.chunkCapacity)
            chunks.append(Chunk(Array(sorted[start..<end])))
            start = end
        }
        storage = .chunked(chunks)
        storedChunkCount = Int32(chunks.count)  // `didSet` does not run in an initializer
    }

    /// Adds a posting after every other, which must sort before it (building in order).
    mutating func append(_ posting: Posting) {
        storedCount += 1
        switch takeStorage() {
        case .single(var postings):
            if postings.count < Self.chunkCapacity {
                postings.append(posting)
                storage = .single(postings)
            } else {
                storage = .chunked([Chunk(postings), Chunk([posting])])
            }
        case .chunked(var chunks):
            if chunks[chunks.count - 1].count == Self.chunkCapacity {
                chunks.append(Chunk([posting]))
            } else {
                chunks[chunks.count - 1].postings.append(posting)
            }
            storage = .chunked(chunks)
        }
    }

    /// Adds `posting` without putting it in order: one append, where an insertion reads the
    /// list's chunks. The list is put in order once enough wait, and before it is read.
    mutating func add(_ posting: Posting, keys: [SearchKey]) {
        unordered.append(posting)
        if unordered.count >= unorderedLimit { putInOrder(keys: keys) }
    }

    /// Puts the postings `add` left out of order in order. A list no more than 16 times
    /// their count is merged with them in one pass; a longer one takes them one by one,
    /// in order, so that they find its chunks in cache.
    mutating func putInOrder(keys: [SearchKey]) {
        guard !unordered.isEmpty else { return }
        var added = unordered
        unordered = []
        added.sort { Self.precedes($0, $1, keys) }
        guard Int(storedCount) <= 16 * added.count else {
            for posting in added { insert(posting, keys: keys) }
            return
        }
        let ordered = postings
        var merged: [Posting] = []
        merged.reserveCapacity(ordered.count + added.count)
        var (next, nextAdded) = (0, 0)
        while next < ordered.count || nextAdded < added.count {
            if nextAdded == added.count || (next < ordered.count && Self.precedes(ordered[next], added[nextAdded], keys)) {
                merged.append(ordered[next])
                next += 1
            } else {
                merged.append(added[nextAdded])
                nextAdded += 1
            }
        }
        self = OrderedPostings(sorted: merged)
    }

    /// Inserts `posting` in its place.
    mutating func insert(_ posting: Posting, keys: [SearchKey]) {
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        let count = Int(storedCount)
        let chunkCount = Int(storedChunkCount)
        storedCount += 1
        switch takeStorage() {
        case .single(var postings):
            postings.insert(posting, at: Self.place(of: posting, in: postings, count: count, where: notBelow))
            guard postings.count > Self.chunkCapacity else {
                storage = .single(postings)
                return
            }
            let upper = Array(postings[(Self.chunkCapacity / 2)...])
            postings.removeLast(upper.count)
            storage = .chunked([Chunk(postings), Chunk(upper)])
        case .chunked(var chunks):
            let chunk = min(Self.chunk(of: posting, in: chunks, count: chunkCount, where: notBelow), chunkCount - 1)
            let index = Self.place(of: posting, in: chunks, chunk, where: notBelow)
            chunks[chunk].postings.insert(posting, at: index)
            if chunks[chunk].count > Self.chunkCapacity {
                let upper = Array(chunks[chunk].postings[(Self.chunkCapacity / 2)...])
                chunks[chunk].postings.removeLast(upper.count)
                chunks.insert(Chunk(upper), at: chunk + 1)
            }
            storage = .chunked(chunks)
        }
    }

    /// Removes `posting`, as it was inserted or added.
    mutating func remove(_ posting: Posting, keys: [SearchKey]) {
        if let index = unordered.firstIndex(where: { $0.slot == posting.slot }) {
            unordered.swapAt(index, unordered.count - 1)
            unordered.removeLast()
            return
        }
        let notBelow = { (other: Posting) in !Self.precedes(other, posting, keys) }
        let isPosting = { (postings: [Posting], index: Int) in index < postings.count && postings[index].slot == posting.slot }
        let count = Int(storedCount)
        let chunkCount = Int(storedChunkCount)
        switch takeStorage() {
        case .single(var postings):
            let index = Self.place(of: posting, in: postings, count: count, where: notBelow)
            if isPosting(postings, index) {
                postings.remove(at: index)
                storedCount -= 1
            }
            storage = .single(postings)
        case .chunked(var chunks):
            defer { storage = chunks.count == 1 ? .single(chunks[0].postings) : .chunked(chunks) }
            let chunk = Self.chunk(of: posting, in: chunks, count: chunkCount, where: notBelow)
            guard chunk < chunks.count else { return }
            let index = Self.place(of: posting, in: chunks, chunk, where: notBelow)
            guard isPosting(chunks[chunk].postings, index) else { return }
            chunks[chunk].postings.remove(at: index)
            storedCount -= 1
            if chunks[chunk].postings.isEmpty { chunks.remove(at: chunk) }
        }
    }

    /// The first position whose key sorts after `cursor` (the start for `nil`).
    func position(after cursor: (posting: Posting, key: SearchKey)?, keys: [SearchKey]) -> Position {
        assert(isOrdered, "a list is put in order before it is read")
        guard let cursor else { return Position(chunk: 0, index: 0) }
        let above = { (other: Posting) in
            other.prefix != cursor.posting.prefix ? other.prefix > cursor.posting.prefix : cursor.key < keys[Int(other.slot)]
        }
        switch storage {
        case .single(let postings):
            return Position(chunk: 0, index: Self.first(in: postings, where: above))
        case .chunked(let chunks):
            let chunk = Self.first(in: chunks) { above($0.last) }
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

    /// The postings in order (all of them once `isOrdered`).
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

    /// The first chunk whose last posting is not below `posting`, guessed from the
    /// prefixes of the first and last chunks' last postings.
    private static func chunk(of posting: Posting, in chunks: [Chunk], count: Int, where notBelow: (Posting) -> Bool) -> Int {
        first(in: chunks, count: count, near: guess(posting.prefix, between: chunks[0].last.prefix, and: chunks[count - 1].last.prefix, count: count)) {
            notBelow($0.last)
        }
    }

    /// The place of `posting` in `chunks[chunk]`, guessed from the prefixes of the last
    /// postings of the chunk before and of this one.
    private static func place(of posting: Posting, in chunks: [Chunk], _ chunk: Int, where notBelow: (Posting) -> Bool) -> Int {
        let count = chunks[chunk].count
        let below = chunk > 0 ? chunks[chunk - 1].last.prefix : chunks[chunk].postings[0].prefix
        return first(in: chunks[chunk].postings, count: count, near: guess(posting.prefix, between: below, and: chunks[chunk].last.prefix, count: count), where: notBelow)
    }

    /// The place of `posting` in a list's one chunk of `count` postings.
    private static func place(of posting: Posting, in postings: [Posting], count: Int, where notBelow: (Posting) -> Bool) -> Int {
        guard count > 0 else { return 0 }
        return first(in: postings, count: count, near: guess(posting.prefix, between: postings[0].prefix, and: postings[count - 1].prefix, count: count), where: notBelow)
    }

    /// Where `prefix` falls among `count` elements whose prefixes run from `low` to `high`,
    /// if they were spread evenly.
    private static func guess(_ prefix: UInt64, between low: UInt64, and high: UInt64, count: Int) -> Int {
        guard high > low, prefix > low else { return 0 }
        guard prefix < high else { return count - 1 }
        return min(count - 1, Int(Double(prefix - low) / Double(high - low) * Double(count)))
    }

    /// The first index of the first `count` of `elements` for which `predicate` holds (it
    /// must hold for all after that one), searched outward from `guess` in doubling steps
    /// and then by halving what those steps bound.
    private static func first<Element>(in elements: [Element], count: Int, near guess: Int, where predicate: (Element) -> Bool) -> Int {
        guard count > 0 else { return 0 }
        precondition(count <= elements.count)
        // Through a buffer pointer, no read of an element waits for the array's own count.
        return elements.withUnsafeBufferPointer { elements in
            var (low, high) = (0, count)
            var step = 1
            if predicate(elements[guess]) {
                high = guess
                while high - step >= 0 {
                    if !predicate(elements[high - step]) {
                        low = high - step + 1
                        break
                    }
                    high -= step
                    step *= 2
                }
            } else {
                low = guess + 1
                while low + step - 1 < count {
                    if predicate(elements[low + step - 1]) {
                        high = low + step - 1
                        break
                    }
                    low += step
                    step *= 2
                }
            }
            while low < high {
                let middle = (low + high) / 2
                if predicate(elements[middle]) { high = middle } else { low = middle + 1 }
            }
            return low
        }
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
