import AWSDynamoDB
import TeamsDomain

/// The fleet's sequencer lease, in the `meta#sequencer` item: `holder`, the process
/// holding it, `leaseExpiresAt`, when it lapses (Unix milliseconds by the writer's
/// clock, so servers' clocks must agree to well within `duration`), and `epoch`, a
/// fencing token that grows by one with every taking.
///
/// Each step is one conditional `UpdateItem`, which DynamoDB applies atomically: two
/// processes never take the same epoch. The holder writes its epoch into the log's
/// head before anything else (`EventLogHead.fence`), and every later write of the log
/// is conditional on it, so a holder that lost the lease without knowing (a long pause)
/// can no longer change the log.
struct SequencerLease: Sendable {
    let client: DynamoDBClient
    let table: String
    let owner: String
    let duration: Duration
    let clock: WallClock

    /// Takes the lease when nobody holds it, it lapsed, or this owner held it (a
    /// restart); returns the new epoch, or `nil` while another owner holds it.
    func acquire() async throws -> UInt64? {
        let now = clock.milliseconds()
        let input = UpdateItemInput(
            tableName: table, key: ItemLayout.key(ItemLayout.sequencerID),
            updateExpression: "SET #holder = :me, #until = :until ADD #epoch :one",
            conditionExpression: "attribute_not_exists(#holder) OR #holder = :me OR #until < :now",
            expressionAttributeNames: names,
            expressionAttributeValues: [":me": .s(owner), ":until": .number(now + milliseconds), ":now": .number(now), ":one": .number(1)],
            returnValues: .updatedNew)
        do {
            let updated = try await client.updateItem(input)
            return try ItemLayout.count(ItemLayout.epoch, in: updated, id: ItemLayout.sequencerID)
        } catch DynamoDBError.conditionalCheckFailed {
            return nil
        }
    }

    /// Extends the lease held at `epoch`; `false` when it was lost meanwhile.
    func renew(epoch: UInt64) async throws -> Bool {
        try await holding(epoch, set: clock.milliseconds() + milliseconds)
    }

    /// Lets the lease lapse now, so another server takes over without waiting.
    func release(epoch: UInt64) async {
        _ = try? await holding(epoch, set: 0)
    }

    private func holding(_ epoch: UInt64, set until: Int64) async throws -> Bool {
        let input = UpdateItemInput(
            tableName: table, key: ItemLayout.key(ItemLayout.sequencerID),
            updateExpression: "SET #until = :until",
            conditionExpression: "#holder = :me AND #epoch = :epoch",
            expressionAttributeNames: names,
            expressionAttributeValues: [":me": .s(owner), ":until": .number(until), ":epoch": .number(epoch)])
        do {
            try await client.updateItem(input)
            return true
        } catch DynamoDBError.conditionalCheckFailed {
            return false
        }
    }

    private var milliseconds: Int64 { Int64(duration / .milliseconds(1)) }

    private var names: ExpressionAttributeNames {
        ["#holder": ItemLayout.holder, "#until": ItemLayout.leaseExpiresAt, "#epoch": ItemLayout.epoch]
    }
}
