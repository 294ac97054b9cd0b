import AWSDynamoDB
import TeamsDomain

extension DynamoDBTeamStore {
    /// One page of teams whose name key contains `query.term`, in (`nameKey`, `id`) order.
    ///
    /// A `Scan` (consistent, following `LastEvaluatedKey` to the end) filtered on
    /// `contains(nameKey, :term)` collects every match; they are sorted and the page
    /// after `query.after` is cut here. So each page costs a scan of the whole table:
    /// fine for thousands of teams, not for millions (the README's "Running on
    /// DynamoDB" describes the index to add then). Scanning to the end is what makes
    /// the order right: DynamoDB scans in hash order, not name order.
    ///
    /// Items of the Go service have no `nameKey`; they pass the filter and are matched
    /// here on their lower-cased `teamName`. Other items (events, counters,
    /// idempotency records) have no top-level `teamName` and are filtered out.
    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        var names: ExpressionAttributeNames = ["#tn": ItemLayout.teamName]
        var values: ExpressionAttributeValues = [:]
        var filter = "attribute_exists(#tn)"
        if !query.term.isEmpty {
            names["#nk"] = ItemLayout.nameKey
            values[":term"] = .s(query.term)
            filter = "attribute_exists(#tn) AND (contains(#nk, :term) OR attribute_not_exists(#nk))"
        }

        var matches: [Team] = []
        var startKey: [String: AttributeValue]?
        repeat {
            let input = ScanInput(
                tableName: tableName, filterExpression: filter, expressionAttributeNames: names,
                expressionAttributeValues: values, exclusiveStartKey: startKey, consistentRead: true)
            let page = try await call { try await self.client.scan(input) }
            for item in page.items {
                // Only xid-keyed items are teams; anything else with a teamName is not ours.
                guard let rawID = item[ItemLayout.id]?.stringValue, let id = TeamID(rawID) else { continue }
                let team = try TeamItem.team(id: id, from: item)
                if !TeamItem.hasNameKey(item), !query.term.isEmpty, !team.nameKey.contains(query.term) { continue }
                if let after = query.after, !after.precedes(team) { continue }
                matches.append(team)
            }
            startKey = page.lastEvaluatedKey
        } while startKey != nil

        return TeamPage(cutting: matches.sorted(by: Team.searchOrder), limit: query.limit)
    }
}
