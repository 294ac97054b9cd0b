import AWSDynamoDB
import TeamsDomain

/// How a `TeamEvent` is stored as an item, `event#<sequence>` (see `ItemLayout`).
enum EventItem {
    static func item(_ event: TeamEvent, sequence: UInt64) -> [String: AttributeValue] {
        var item: [String: AttributeValue] = [
            ItemLayout.id: .s(ItemLayout.eventID(sequence)),
            ItemLayout.sequence: .number(sequence),
            ItemLayout.teamID: .s(event.teamID.description),
            ItemLayout.teamVersion: .number(event.version),
            ItemLayout.kind: .s(event.name),
            ItemLayout.occurredAt: .number(event.occurredAt),
        ]
        switch event.change {
        case .teamCreated(let name), .teamRenamed(let name):
            item[ItemLayout.newName] = .s(name)
        case .teamDeleted:
            break
        case .playerAdded(let player), .playerRemoved(let player):
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
            let kind = item[ItemLayout.kind]?.stringValue
        else { throw .corrupt("event \(sequence) lacks its version, time or kind") }

        func name() -> String { item[ItemLayout.newName]?.stringValue ?? "" }
        func player() throws(RepositoryError) -> Player {
            guard let code = item[ItemLayout.eventPlayerPosition]?.stringValue, let position = Position(rawValue: code) else {
                throw .corrupt("event \(sequence) has no valid position")
            }
            return Player(name: item[ItemLayout.eventPlayerName]?.stringValue ?? "", position: position)
        }
        let change: TeamEvent.Change
        switch kind {
        case "TeamCreated": change = .teamCreated(name: name())
        case "TeamRenamed": change = .teamRenamed(name: name())
        case "TeamDeleted": change = .teamDeleted
        case "PlayerAdded": change = .playerAdded(try player())
        case "PlayerRemoved": change = .playerRemoved(try player())
        default: throw .corrupt("event \(sequence) has unknown kind \(kind)")
        }
        return TeamEvent(sequence: sequence, teamID: teamID, version: version, change: change, occurredAt: occurredAt)
    }
}
