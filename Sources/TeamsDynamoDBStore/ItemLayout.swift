import AWSDynamoDB
import TeamsDomain

/// Where everything lives in the one table (hash key `id`, a string).
///
/// ```
/// id                          attributes
/// ─────────────────────────── ───────────────────────────────────────────────────────────
/// <xid>                       teamName S, players L[M{name S, position S}], version N,
///                             nameKey S (lower-cased name, for search)
/// event#00000000000000000042  sequence N, teamId S, teamVersion N, kind S, occurredAt N,
///                             newName S? | playerName S?, playerPosition S?
/// idem#<key>                  teamId S, team M{teamName, players, version}, createdAt N (ms),
///                             expiresAt N (Unix seconds; the table's TTL attribute)
/// meta#sequence               seq N (the last event sequence), prunedThrough N
/// meta#relay                  delivered N, leaseHolder S, leaseExpiresAt N (ms): the relay
///                             lease (`DynamoDBRelayLease`)
/// ```
///
/// Team items keep the original Go service's attribute names (`id`, `teamName`,
/// `players`), so its items are still read (with `players` as a JSON string and no
/// `version`, see `TeamItem`). Every other item's id has a `kind#` prefix, which no
/// xid has (xids are `0-9a-v`), and no other item has a top-level `teamName`: that
/// is how a search scan keeps to teams.
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

    // Events
    static let eventPrefix = "event#"
    static let sequence = "sequence"
    static let teamID = "teamId"
    static let teamVersion = "teamVersion"
    static let kind = "kind"
    static let occurredAt = "occurredAt"
    static let newName = "newName"
    static let eventPlayerName = "playerName"
    static let eventPlayerPosition = "playerPosition"

    // Idempotency keys
    static let idempotencyPrefix = "idem#"
    static let team = "team"
    static let createdAt = "createdAt"
    /// The table's time-to-live attribute: DynamoDB deletes the item some time after.
    static let expiresAt = "expiresAt"

    // Counters
    static let sequenceCounterID = "meta#sequence"
    static let lastSequence = "seq"
    static let prunedThrough = "prunedThrough"
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
