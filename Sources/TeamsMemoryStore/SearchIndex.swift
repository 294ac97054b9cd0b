import TeamsDomain

/// Every team's search key in search order (`Team.searchOrder`: name key, then
/// id), kept sorted as teams change, so a search walks from its cursor and stops
/// after the page instead of sorting every team on each call.
///
/// A change costs a binary search and an insertion or removal in one array.
struct SearchIndex {
    struct Key: Comparable {
        let nameKey: String
        let id: TeamID

        init(_ team: Team) { self.init(nameKey: team.nameKey, id: team.id) }
        init(nameKey: String, id: TeamID) {
            self.nameKey = nameKey
            self.id = id
        }

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.nameKey, lhs.id) < (rhs.nameKey, rhs.id) }
    }

    private(set) var keys: [Key] = []

    mutating func insert(_ team: Team) {
        let key = Key(team)
        keys.insert(key, at: firstIndex(notBelow: key))
    }

    mutating func remove(_ team: Team) {
        let key = Key(team)
        let index = firstIndex(notBelow: key)
        if index < keys.count, keys[index] == key { keys.remove(at: index) }
    }

    /// The ids of the first `count` teams after `cursor` (from the start without one)
    /// whose name key contains `term`, in search order.
    func ids(matching term: String, after cursor: SearchCursor?, count: Int) -> [TeamID] {
        var index = 0
        if let cursor {
            let after = Key(nameKey: cursor.nameKey, id: cursor.id)
            index = firstIndex(notBelow: after)
            if index < keys.count, keys[index] == after { index += 1 }
        }
        var ids: [TeamID] = []
        let needle = Array(term.utf8)
        while index < keys.count, ids.count < count {
            if needle.isEmpty || Self.contains(keys[index].nameKey, needle) { ids.append(keys[index].id) }
            index += 1
        }
        return ids
    }

    /// Whether `needle`'s bytes occur in `text`'s UTF-8, as SQLite's `instr` tests:
    /// exact code points, so `%` and `_` are plain characters. Bytes, not
    /// `String.contains`, which compares graphemes and costs ten times more.
    static func contains(_ text: String, _ needle: [UInt8]) -> Bool {
        var text = text
        return text.withUTF8 { haystack in
            guard needle.count <= haystack.count else { return false }
            let first = needle[0]
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

    /// The first position whose key is not below `key` (where `key` goes).
    private func firstIndex(notBelow key: Key) -> Int {
        var (low, high) = (0, keys.count)
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
