import AWSDynamoDB
import TeamsDomain

/// Where everything lives in the one table (hash key `id`, a string).
///
/// ```
/// id                          attributes
/// ─────────────────────────── ───────────────────────────────────────────────────────────
/// <xid>                       teamName S, players L[M{name S, position S}], version N,
///                             nameKey S (lower-cased name, for search), and the change
///                             that wrote it: lastEventKind S, lastEventAt N (ms),
///                             lastEventPlayerName S?, lastEventPlayerPosition S?
/// <xid> (deleted)             deleted BOOL, version N, lastEventKind S, lastEventAt N,
///                             expiresAt N: a tombstone, read as no team, gone after TTL
/// event#00000000000000000042  sequence N, teamId S, teamVersion N, kind S, occurredAt N,
///                             newName S? | playerName S?, playerPosition S?, epoch N
/// idem#<key>                  teamId S, team M{teamName, players, version}, createdAt N (ms),
///                             expiresAt N (Unix seconds; the table's TTL attribute)
/// meta#sequence               the head of the event log: seq N (the last sequence),
///                             prunedThrough N, epoch N (of the sequencer that wrote it),
///                             stream S, checkpoints M{shard id: S (last record) | "end"},
///                             indexed N (the names index was backfilled)
/// meta#sequencer              holder S, epoch N, leaseExpiresAt N (ms): the sequencer
///                             lease (`SequencerLease`)
/// meta#relay                  delivered N, leaseHolder S, leaseExpiresAt N (ms): the relay
///                             lease (`DynamoDBRelayLease`)
/// ```
///
/// A change is one conditional write of its team item; the table's stream carries it
/// to the fleet's one sequencer (`FleetSequencer`), which numbers it into the event log
/// and keeps the names index, in a table of its own (`NameIndex`). Team items keep the original Go service's attribute
/// names (`id`, `teamName`, `players`), so its items are still read (with `players` as
/// a JSON string and no `version`, see `TeamItem`). Every other item's id has a
/// `kind#` prefix, which no xid has (xids are `0-9a-v`).
///
/// Event ids are zero-padded to 20 digits (all of `UInt64`) so that the event of a
/// given sequence is found by `GetItem`/`BatchGetItem` without an index.
enum ItemLayout {
    static let id = "id"

    // Teams
    static let teamName = "teamName"
    static let players = "players"
    static let version = "version"
    static let nameKey = "nameKey"
    static let playerName = "name"
    static let playerPosition = "position"
    static let lastEventKind = "lastEventKind"
    static let lastEventAt = "lastEventAt"
    static let lastEventPlayerName = "lastEventPlayerName"
    static let lastEventPlayerPosition = "lastEventPlayerPosition"
    static let deleted = "deleted"
    /// How long a tombstone stays before TTL removes it: well past the stream's 24 hours.
    static let tombstoneSeconds: Int64 = 2 * 24 * 60 * 60

    // The names index (its own table)
    static let indexList = "ixList"
    static let indexOrder = "ixOrder"

    // Events
    static let eventPrefix = "event#"
    static let sequence = "sequence"
    static let teamID = "teamId"
    static let teamVersion = "teamVersion"
    static let kind = "kind"
    static let occurredAt = "occurredAt"
    static let epoch = "epoch"
    static let newName = "newName"
    static let eventPlayerName = "playerName"
    static let eventPlayerPosition = "playerPosition"

    // Idempotency keys
    static let idempotencyPrefix = "idem#"
    static let team = "team"
    static let createdAt = "createdAt"
    /// The table's time-to-live attribute: DynamoDB deletes the item some time after.
    static let expiresAt = "expiresAt"

    // The head of the event log, and the sequencer's lease
    static let sequenceCounterID = "meta#sequence"
    static let lastSequence = "seq"
    static let prunedThrough = "prunedThrough"
    static let stream = "stream"
    static let checkpoints = "checkpoints"
    static let indexed = "indexed"
    static let sequencerID = "meta#sequencer"
    static let holder = "holder"
    static let relayID = "meta#relay"
    static let delivered = "delivered"
    static let leaseHolder = "leaseHolder"
    static let leaseExpiresAt = "leaseExpiresAt"

    static func key(_ id: String) -> [String: AttributeValue] { [Self.id: .s(id)] }

    static func eventID(_ sequence: UInt64) -> String {
        let digits = String(sequence)
        return eventPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func idempotencyID(_ key: String) -> String { idempotencyPrefix + key }

    /// The count (`seq`, `prunedThrough`, `delivered`) in `attribute` of the counter
    /// item `id`: 0 while the item or the attribute is not there yet.
    /// - Throws: `.corrupt` naming the item when the attribute holds anything but a
    ///   whole number from 0 to `UInt64.max`, rather than reading it as 0.
    static func count(_ attribute: String, in item: [String: AttributeValue]?, id: String) throws(RepositoryError) -> UInt64 {
        switch item?[attribute] {
        case nil, .null?:
            return 0
        case .n(let text)?:
            guard let count = UInt64(text) else { throw .corrupt("\(id) has \(attribute) \(text), which is not a count") }
            return count
        default:
            throw .corrupt("\(id) has a non-numeric \(attribute)")
        }
    }
}
