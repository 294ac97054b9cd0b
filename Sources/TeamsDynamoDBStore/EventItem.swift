import AWSDynamoDB
import TeamsDomain

/// How a `TeamEvent` is stored as an item, `event#<sequence>` (see `ItemLayout`):
/// `kind` holds the `TeamEvent.Kind` raw value, other attributes the change's details.
enum EventItem {
    static func item(_ event: TeamEvent, sequence: UInt64) -> [String: AttributeValue] {
        var item: [String: AttributeValue] = [
            ItemLayout.id: .s(ItemLayout.eventID(sequence)),
            ItemLayout.sequence: .number(sequence),
            ItemLayout.teamID: .s(event.teamID.description),
            ItemLayout.teamVersion: .number(event.version),
            ItemLayout.kind: .s(event.change.kind.rawValue),
            ItemLayout.occurredAt: .number(event.occurredAt),
        ]
        if let name = event.change.teamName {
            item[ItemLayout.newName] = .s(name)
        }
        if let player = event.change.player {
            item[ItemLayout.eventPlayerName] = .s(player.name)
            item[ItemLayout.eventPlayerPosition] = .s(player.position.rawValue)
        }
        return item
    }

    static func event(from item: [String: AttributeValue]) throws(RepositoryError) -> TeamEvent {
        guard let sequence = item[ItemLayout.sequence]?.numberValue.flatMap(UInt64.init) else {
            throw .corrupt("event item \(item[ItemLayout.id]?.stringValue ?? "?") has no sequence")
        }
        guard let rawID = item[ItemLayout.teamID]?.stringValue, let teamID = TeamID(rawID) else {
            throw .corrupt("event \(sequence) has no valid team id")
        }
        guard let version = item[ItemLayout.teamVersion]?.numberValue.flatMap(UInt64.init),
            let occurredAt = item[ItemLayout.occurredAt]?.numberValue.flatMap(Int64.init),
            let rawKind = item[ItemLayout.kind]?.stringValue
        else { throw .corrupt("event \(sequence) lacks its version, time or kind") }
        guard let kind = TeamEvent.Kind(rawValue: rawKind) else { throw .corrupt("event \(sequence) has unknown kind \(rawKind)") }

        let player = item[ItemLayout.eventPlayerPosition]?.stringValue.flatMap(Position.init(rawValue:)).map { position in
            Player(name: item[ItemLayout.eventPlayerName]?.stringValue ?? "", position: position)
        }
        guard let change = TeamEvent.Change(kind: kind, teamName: item[ItemLayout.newName]?.stringValue ?? "", player: player) else {
            throw .corrupt("event \(sequence) has no valid position")
        }
        return TeamEvent(sequence: sequence, teamID: teamID, version: version, change: change, occurredAt: occurredAt)
    }
}
