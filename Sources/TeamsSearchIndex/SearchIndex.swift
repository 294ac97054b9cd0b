import TeamsDomain

/// Every team's name key in memory, for finding a page of `TeamQuery` matches at about
/// the cost of the page rather than of every team.
///
/// Lists of postings in search order (`Team.searchOrder`) are kept as teams change:
/// one of every key, one per string of 3 bytes of the keys holding it, and one per 2
/// bytes of the keys ending with them (`GramPostings`). A page is a walk from the cursor:
/// - a term of 3 or more bytes walks the list of its rarest gram, which holds every
///   match in order. For a term of 3 bytes, that is the term itself, so nearly every
///   posting is a match and the page costs about its own length.
/// - a term of 2 bytes walks the lists of the grams it starts, and of the keys ending
///   with it, merged: they hold every match, and nearly only matches.
/// - a term of 1 byte, or none, walks every key; such a term matches densely.
///
/// Each posting is tested first by its signature, without reading the key, and then by
/// an exact byte test of the key's UTF-8 (`contains`), as SQLite's `instr` tests.
/// A new key costs a search and a move within one chunk in the list of every key, and
/// an append to each of its gram lists, which sort what was appended before they are
/// read (`OrderedPostings.add`), so a search may change the index and is `mutating`.
public struct SearchIndex: Sendable {
    /// Keys by slot; a slot is free when `slots` names no team with it.
    private var keys: [SearchKey] = []
    private var freeSlots: [UInt32] = []
    private var slots: [TeamID: UInt32] = [:]
    private var order = OrderedPostings()
    private var grams: GramPostings

    public init() { self.init(gramBuckets: 20) }

    /// An empty index with `2^bits` gram lists (tests make them few, to make grams share lists).
    init(gramBuckets bits: Int) {
        grams = GramPostings(bucketBits: bits)
    }

    /// An index of `teams` (each id once), built in one sort rather than key by key.
    public init(_ teams: [(id: TeamID, nameKey: String)]) {
        grams = GramPostings()
        keys = teams.map { SearchKey(nameKey: $0.nameKey, id: $0.id) }
        slots.reserveCapacity(keys.count)
        var postings: [Posting] = []
        postings.reserveCapacity(keys.count)
        for slot in keys.indices {
            slots[keys[slot].id] = UInt32(slot)
            postings.append(Posting(slot: UInt32(slot), nameKey: Array(keys[slot].nameKey.utf8)))
        }
        let keys = keys
        postings.sort { OrderedPostings.precedes($0, $1, keys) }
        order = OrderedPostings(sorted: postings)
        for posting in postings { grams.append(posting, Array(keys[Int(posting.slot)].nameKey.utf8)) }
    }

    /// Teams indexed.
    public var count: Int { slots.count }

    /// Indexes team `id` under `nameKey`, in place of the key it had.
    public mutating func set(_ id: TeamID, nameKey: String) {
        if let slot = slots[id] {
            guard keys[Int(slot)].nameKey != nameKey else { return }
            remove(id)
        }
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            keys[Int(slot)] = SearchKey(nameKey: nameKey, id: id)
        } else {
            slot = UInt32(keys.count)
            keys.append(SearchKey(nameKey: nameKey, id: id))
        }
        slots[id] = slot
        let bytes = Array(nameKey.utf8)
        let posting = Posting(slot: slot, nameKey: bytes)
        order.insert(posting, keys: keys)
        grams.add(posting, bytes, keys: keys)
    }

    /// Forgets team `id`, if indexed.
    public mutating func remove(_ id: TeamID) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        let bytes = Array(keys[Int(slot)].nameKey.utf8)
        let posting = Posting(slot: slot, nameKey: bytes)
        order.remove(posting, keys: keys)
        grams.remove(posting, bytes, keys: keys)
        keys[Int(slot)].nameKey = ""
        freeSlots.append(slot)
    }

    /// The ids of the first `count` teams after `cursor` (from the start without one)
    /// whose name key holds `term`'s bytes, in search order.
    public mutating func ids(matching term: String, after cursor: SearchCursor?, count: Int) -> [TeamID] {
        guard count > 0 else { return [] }
        let needle = Array(term.utf8)
        let after = cursor.map { cursor in
            (posting: Posting(slot: 0, nameKey: Array(cursor.nameKey.utf8)), key: SearchKey(nameKey: cursor.nameKey, id: cursor.id))
        }
        let signature = Posting.signature(of: needle)
        var ids: [TeamID] = []
        ids.reserveCapacity(min(count, 1024))
        func test(_ posting: Posting) -> Bool {
            let key = keys[Int(posting.slot)]
            if posting.signature & signature == signature, Self.contains(key.nameKey, needle) { ids.append(key.id) }
            return ids.count < count
        }
        guard needle.count >= 2 else {
            walk([order], after: after, test)
            return ids
        }
        var lists = needle.count == 2 ? grams.lists(startingWith: needle, keys: keys) : [grams.rarestList(for: needle, keys: keys)]
        if !grams.unlisted.isEmpty { lists.append(grams.unlisted) }
        walk(lists, after: after, test)
        return ids
    }

    /// Calls `body` with each posting of `lists`, merged in order, after `cursor`, until
    /// it returns false. A key in several of the lists is handed over once.
    private func walk(_ lists: [OrderedPostings], after cursor: (posting: Posting, key: SearchKey)?, _ body: (Posting) -> Bool) {
        var positions = lists.map { $0.position(after: cursor, keys: keys) }
        var last: UInt32?
        while true {
            var first: (list: Int, posting: Posting)?
            for list in lists.indices {
                guard let posting = lists[list].posting(at: positions[list]) else { continue }
                if let current = first, !OrderedPostings.precedes(posting, current.posting, keys) { continue }
                first = (list, posting)
            }
            guard let (list, posting) = first else { return }
            positions[list] = lists[list].advance(positions[list])
            guard posting.slot != last else { continue }
            last = posting.slot
            guard body(posting) else { return }
        }
    }

    /// Whether `needle`'s bytes occur in `text`'s UTF-8, as SQLite's `instr` tests:
    /// exact code points, so `%` and `_` are plain characters. Bytes, not
    /// `String.contains`, which compares graphemes and costs ten times more.
    public static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var text = text
        return text.withUTF8 { haystack in
            guard needle.count <= haystack.count else { return false }
            var start = 0
            while start <= haystack.count - needle.count {
                if haystack[start] == first {
                    var matched = 1
                    while matched < needle.count, haystack[start + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                start += 1
            }
            return false
        }
    }
}
