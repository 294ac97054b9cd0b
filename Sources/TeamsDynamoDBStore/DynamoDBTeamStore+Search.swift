import AWSDynamoDB
import CoreMetrics
import TeamsDomain

extension DynamoDBTeamStore {
    /// One page of teams whose name key contains `query.term`, in (`nameKey`, `id`) order.
    ///
    /// Reads the names index lists that hold every match (`NameIndex.lists(holding:)`)
    /// from the cursor on, a little more than a page at a time, keeping the entries
    /// whose key contains the term, then the page's teams by id (one `BatchGetItem`).
    /// So a page costs about a page of index entries, plus those passed over for not
    /// containing the term. The index follows the stream, so a team written a moment
    /// ago may be missing or listed under its old name: each candidate is checked
    /// against the team as stored, and one that no longer matches is passed over.
    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        let (page, itemsRead) = try await searchPage(query)
        CoreMetrics.Counter(label: "dynamodb_search_pages_total").increment()
        CoreMetrics.Counter(label: "dynamodb_search_items_read_total").increment(by: itemsRead)
        return page
    }

    /// The page, and how many index entries and teams it read (the `ScannedCount`s of
    /// its queries and the teams fetched).
    func searchPage(_ query: TeamQuery) async throws(RepositoryError) -> (page: TeamPage, itemsRead: Int) {
        let term = Array(query.term.utf8)
        var lists = NameIndex.lists(holding: query.term).map { ListReader(list: $0, after: query.after.map(NameIndex.order)) }
        var teams: [Team] = []
        var seen: Set<TeamID> = []
        var teamsRead = 0
        while teams.count <= query.limit {
            // The next candidates in order: enough from each list to fill the page.
            let wanted = query.limit + 1 - teams.count
            for index in lists.indices { try await fill(&lists[index], toHold: wanted, matching: term) }
            let candidates = lists.flatMap(\.entries).sorted { ($0.nameKey, $0.id) < ($1.nameKey, $1.id) }.prefix(wanted)
            guard !candidates.isEmpty else { break }
            let last = candidates.last!
            for index in lists.indices { lists[index].consume(through: (last.nameKey, last.id)) }

            let stored = try await teamsByID(candidates.map(\.id))
            teamsRead += stored.count
            // An entry left behind by a rename (the index lags) is passed over: the team
            // is listed again under the name key it has now.
            for candidate in candidates {
                guard let team = stored[candidate.id], team.nameKey == candidate.nameKey, seen.insert(team.id).inserted else { continue }
                teams.append(team)
            }
        }
        let page = TeamPage(cutting: teams.sorted(by: Team.searchOrder), limit: query.limit)
        return (page, lists.reduce(teamsRead) { $0 + $1.scanned })
    }

    /// Reads `reader`'s list on until it holds `count` matching entries or the list ends.
    private func fill(_ reader: inout ListReader, toHold count: Int, matching term: [UInt8]) async throws(RepositoryError) {
        while reader.entries.count < count, !reader.exhausted {
            let input = QueryInput(
                tableName: indexTableName,
                keyConditionExpression: reader.start == nil ? "#list = :list" : "#list = :list AND #order > :after",
                expressionAttributeNames: ["#list": ItemLayout.indexList].merging(reader.start == nil ? [:] : ["#order": ItemLayout.indexOrder]) { $1 },
                expressionAttributeValues: [":list": .s(reader.list)].merging(reader.start.map { [":after": .s($0)] } ?? [:]) { $1 },
                exclusiveStartKey: reader.lastEvaluatedKey, limit: reader.nextLimit(wanting: count), consistentRead: true)
            let page = try await call(on: indexTableName) { try await self.client.query(input) }
            reader.read(page) { contains(Array($0.nameKey.utf8), term) }
        }
    }

    /// The stored teams of these ids (tombstones and missing ones left out), read consistently.
    private func teamsByID(_ ids: [TeamID]) async throws(RepositoryError) -> [TeamID: Team] {
        let keys = Array(Set(ids.map(\.description)))
        var teams: [TeamID: Team] = [:]
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + 100, keys.count)])
            for item in try await call({ try await self.client.batchGetItems(table: self.tableName, ids: chunk) }) where !TeamItem.isTombstone(item) {
                let team = try TeamItem.team(from: item)
                teams[team.id] = team
            }
            start += 100
        }
        return teams
    }

    /// Whether `text` holds `needle` as a run of bytes: the stores' substring test.
    private func contains(_ text: [UInt8], _ needle: [UInt8]) -> Bool {
        needle.isEmpty || text.firstRange(of: needle) != nil
    }
}

/// One index list read in order from a position, a query page at a time.
struct ListReader {
    typealias Entry = (nameKey: String, id: TeamID)

    let list: String
    /// Entries after this `ixOrder` (the cursor's).
    let start: String?
    var lastEvaluatedKey: [String: AttributeValue]?
    /// Matching entries read and not yet taken.
    var entries: [Entry] = []
    var exhausted = false
    /// Index entries read so far (before the term's test): what the page cost.
    var scanned = 0
    private var pages = 0

    init(list: String, after start: String?) {
        self.list = list
        self.start = start
    }

    /// A page's worth at first, more each time the term passes few entries over.
    func nextLimit(wanting count: Int) -> Int {
        min(1000, (count + 1) << min(pages, 4))
    }

    mutating func read(_ page: ItemPage, keeping matches: (Entry) -> Bool) {
        pages += 1
        scanned += page.scannedCount
        for item in page.items {
            guard let order = item[ItemLayout.indexOrder]?.stringValue, let entry = NameIndex.entry(fromOrder: order), matches(entry) else { continue }
            entries.append(entry)
        }
        lastEvaluatedKey = page.lastEvaluatedKey
        exhausted = page.lastEvaluatedKey == nil
    }

    /// Drops the entries up to and including `last`, which the page took.
    mutating func consume(through last: Entry) {
        entries.removeAll { ($0.nameKey, $0.id) <= (last.nameKey, last.id) }
    }
}
