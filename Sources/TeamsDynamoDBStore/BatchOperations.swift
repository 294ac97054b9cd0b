import AWSDynamoDB
import TeamsDomain
import TeamsSupport

/// Unprocessed keys or items mean the table is busy: wait 50, 100, 200 … 1000 ms
/// (rounds 1, 2, 3 …) before asking again.
private let unprocessedBackoff = Backoff(base: .milliseconds(25), max: .seconds(1), jitter: .none)

/// `BatchGetItem` and `BatchWriteItem`, which the client has no typed
/// call for, sent through its raw `send(operation:input:as:)`.
extension DynamoDBClient {
    /// The items with these ids (at most 100), read with `ConsistentRead`; ids without
    /// an item are missing from the answer. Unprocessed keys are asked for again.
    func batchGetItems(table: String, ids: [String]) async throws -> [[String: AttributeValue]] {
        struct KeysAndAttributes: Codable {
            var Keys: [[String: AttributeValue]]
            var ConsistentRead: Bool?
        }
        struct Input: Encodable { var RequestItems: [String: KeysAndAttributes] }
        struct Output: Decodable {
            var Responses: [String: [[String: AttributeValue]]]?
            var UnprocessedKeys: [String: KeysAndAttributes]?
        }
        precondition(ids.count <= 100, "BatchGetItem takes at most 100 keys")
        var keys = ids.map { ItemLayout.key($0) }
        var items: [[String: AttributeValue]] = []
        var round = 0
        while !keys.isEmpty {
            let input = Input(RequestItems: [table: KeysAndAttributes(Keys: keys, ConsistentRead: true)])
            let output = try await send(operation: "BatchGetItem", input: input, as: Output.self)
            items += output.Responses?[table] ?? []
            keys = output.UnprocessedKeys?[table]?.Keys ?? []
            round += 1
            // Unprocessed keys mean the table is busy: back off before asking again.
            if !keys.isEmpty { try await Task.sleep(for: unprocessedBackoff.delay(forAttempt: round)) }
        }
        return items
    }

    /// Deletes the items with these ids (any number, 25 per request), retrying unprocessed ones.
    func batchDeleteItems(table: String, ids: [String]) async throws {
        try await batchWrite(table: table, puts: [], deletes: ids.map { ItemLayout.key($0) })
    }

    /// Puts `puts` and deletes the items with the keys `deletes` (any number, 25 per
    /// request, no item twice), retrying unprocessed ones. Not atomic: each item on its own.
    func batchWrite(table: String, puts: [[String: AttributeValue]], deletes: [[String: AttributeValue]]) async throws {
        struct Put: Codable { var Item: [String: AttributeValue] }
        struct Delete: Codable { var Key: [String: AttributeValue] }
        struct WriteRequest: Codable {
            var PutRequest: Put?
            var DeleteRequest: Delete?
        }
        struct Input: Encodable { var RequestItems: [String: [WriteRequest]] }
        struct Output: Decodable { var UnprocessedItems: [String: [WriteRequest]]? }
        let all = puts.map { WriteRequest(PutRequest: Put(Item: $0)) }
            + deletes.map { WriteRequest(DeleteRequest: Delete(Key: $0)) }
        // Up to 8 requests at a time; they touch distinct items, so their order does not matter.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, start) in stride(from: 0, to: all.count, by: 25).enumerated() {
                if index >= 8 { try await group.next() }
                var requests = Array(all[start..<min(start + 25, all.count)])
                group.addTask {
                    var round = 0
                    while !requests.isEmpty {
                        let output = try await self.send(operation: "BatchWriteItem", input: Input(RequestItems: [table: requests]), as: Output.self)
                        requests = output.UnprocessedItems?[table] ?? []
                        round += 1
                        if !requests.isEmpty { try await Task.sleep(for: unprocessedBackoff.delay(forAttempt: round)) }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
