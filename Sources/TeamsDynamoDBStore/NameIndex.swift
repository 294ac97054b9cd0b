import AWSDynamoDB
import TeamsDomain

/// The names index: lists of teams in search order, in a table of its own
/// (`<table>-names`, hash key `ixList`, range key `ixOrder`: the name key, U+0001,
/// the id; name keys hold no control characters, so this sorts as (`nameKey`, `id`)
/// does). Its items are written only by the fleet's sequencer; the index has a table
/// of its own so that the team table's stream, which the sequencer reads, does not
/// carry them back to it (a create writes about 20 of them).
///
/// A team is listed in:
/// - `*`, every team, which an empty term or one of one character walks;
/// - `g<gram>`, for each distinct string of 2 and of 3 adjacent characters (Unicode
///   scalars) of its name key, when the key has at most `listedKeyBytes` bytes;
/// - `+`, when the key is longer: such a key is listed once, so that no name costs
///   more than a constant number of items (the SQLite store does the same).
///
/// A term of 2 or 3 characters reads its own gram's list, a longer one the list of its
/// last 3 characters, each merged with `+`: those lists hold every match, in order.
/// The lists follow the stream, so they lag the teams by the stream's delay; search
/// checks each candidate against the team itself.
enum NameIndex {
    static let everyTeam = "*"
    static let longKeys = "+"
    static let listedKeyBytes = 48
    static let tableSuffix = "-names"

    static func tableName(for table: String) -> String { table + tableSuffix }

    static let hashKey = KeyAttribute(ItemLayout.indexList, .string)
    static let rangeKey = KeyAttribute(ItemLayout.indexOrder, .string)

    /// The lists a team with this name key belongs in.
    static func lists(of nameKey: String) -> Set<String> {
        var lists: Set<String> = [everyTeam]
        guard nameKey.utf8.count <= listedKeyBytes else {
            lists.insert(longKeys)
            return lists
        }
        let scalars = Array(nameKey.unicodeScalars)
        for size in 2...3 where scalars.count >= size {
            for start in 0...(scalars.count - size) {
                var gram = String.UnicodeScalarView()
                gram.append(contentsOf: scalars[start..<start + size])
                lists.insert("g" + String(gram))
            }
        }
        return lists
    }

    /// The lists that hold every team whose name key contains `term`.
    static func lists(holding term: String) -> [String] {
        let scalars = term.unicodeScalars
        guard scalars.count >= 2 else { return [everyTeam] }
        var gram = String.UnicodeScalarView()
        gram.append(contentsOf: scalars.suffix(3))
        return ["g" + String(gram), longKeys]
    }

    static func order(nameKey: String, id: TeamID) -> String {
        nameKey + "\u{1}" + id.description
    }

    static func order(_ cursor: SearchCursor) -> String {
        order(nameKey: cursor.nameKey, id: cursor.id)
    }

    /// The (name key, id) of an `ixOrder`, `nil` when it is not one.
    static func entry(fromOrder order: String) -> (nameKey: String, id: TeamID)? {
        let utf8 = order.utf8
        guard utf8.count > TeamID.encodedLength, let separator = utf8.lastIndex(of: 1),
            utf8.distance(from: separator, to: utf8.endIndex) == TeamID.encodedLength + 1,
            let id = TeamID(String(order[order.index(after: separator)...]))
        else { return nil }
        return (String(order[..<separator]), id)
    }

    /// The key (and whole content) of a team's item in one list.
    static func item(team id: TeamID, nameKey: String, list: String) -> [String: AttributeValue] {
        [ItemLayout.indexList: .s(list), ItemLayout.indexOrder: .s(order(nameKey: nameKey, id: id))]
    }

    /// The index writes that take a team from being listed under `old` to `new` (either
    /// `nil` for not listed): puts for the lists under the new key, deletes of the
    /// entries under the old one.
    static func changes(team id: TeamID, from old: String?, to new: String?) -> (puts: [[String: AttributeValue]], deletes: [[String: AttributeValue]]) {
        guard old != new else { return ([], []) }
        let puts = new.map { key in lists(of: key).sorted().map { item(team: id, nameKey: key, list: $0) } } ?? []
        let deletes = old.map { key in lists(of: key).sorted().map { item(team: id, nameKey: key, list: $0) } } ?? []
        return (puts, deletes)
    }
}
