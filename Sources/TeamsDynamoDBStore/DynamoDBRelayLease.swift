import AWSDynamoDB
import TeamsDomain

/// The fleet's relay lease, kept in the `meta#relay` item beside the delivered
/// position: `leaseHolder`, the process holding it, and `leaseExpiresAt`, when it
/// lapses (Unix milliseconds by the writer's clock, so servers' clocks must agree to
/// well within `duration`).
///
/// Taken or renewed by one conditional `UpdateItem`, which succeeds when nobody holds
/// the lease, this process does, or the lease has lapsed; DynamoDB applies it
/// atomically, so two processes never both succeed for the same term.
public struct DynamoDBRelayLease: RelayLease {
    let store: DynamoDBTeamStore
    /// Names this process in the item, e.g. a random UUID per server.
    public let owner: String
    public let duration: Duration

    public func acquireOrRenew() async throws(RepositoryError) -> Bool {
        let now = store.clock.milliseconds()
        let input = UpdateItemInput(
            tableName: store.tableName, key: ItemLayout.key(ItemLayout.relayID),
            updateExpression: "SET #holder = :me, #until = :until",
            conditionExpression: "attribute_not_exists(#holder) OR #holder = :me OR #until < :now",
            expressionAttributeNames: ["#holder": ItemLayout.leaseHolder, "#until": ItemLayout.leaseExpiresAt],
            expressionAttributeValues: [
                ":me": .s(owner), ":until": .number(now + Int64(duration / .milliseconds(1))), ":now": .number(now),
            ])
        do {
            try await store.client.updateItem(input)
            return true
        } catch DynamoDBError.conditionalCheckFailed {
            return false
        } catch {
            throw ErrorMapping.repositoryError(error, table: store.tableName)
        }
    }
}

extension DynamoDBTeamStore {
    /// The lease that lets one server of those sharing this table relay its events.
    public func relayLease(owner: String, duration: Duration = .seconds(10)) -> DynamoDBRelayLease {
        DynamoDBRelayLease(store: self, owner: owner, duration: duration)
    }
}
