import AWSDynamoDB
import Foundation
import TeamsDomain

/// How a `Team` is stored as an item (see `ItemLayout`).
///
/// Writing always uses the current layout: `players` as a native list of maps,
/// a numeric `version`, the `nameKey` and the change that wrote it (`lastEvent…`,
/// which the stream carries to the sequencer). A deleted team is a tombstone that
/// keeps its last change. Reading also accepts the original Go service's items:
/// `players` as a JSON string (`[{"name":..,"position":..}]`, either key
/// capitalisation) and no `version` (read as 1) or `nameKey`.
enum TeamItem {
    /// The team as written by `event`.
    static func item(_ team: Team, event: TeamEvent) -> [String: AttributeValue] {
        var item = attributes(team)
        item[ItemLayout.id] = .s(team.id.description)
        item[ItemLayout.nameKey] = .s(team.nameKey)
        item.merge(eventAttributes(event)) { $1 }
        return item
    }

    /// What is left of a deleted team: its id, the version and the change that deleted it.
    static func tombstone(_ event: TeamEvent) -> [String: AttributeValue] {
        var item = eventAttributes(event)
        item[ItemLayout.id] = .s(event.teamID.description)
        item[ItemLayout.version] = .number(event.version)
        item[ItemLayout.deleted] = .bool(true)
        item[ItemLayout.expiresAt] = .number(event.occurredAt / 1000 + ItemLayout.tombstoneSeconds)
        return item
    }

    static func isTombstone(_ item: [String: AttributeValue]) -> Bool {
        item[ItemLayout.deleted] != nil
    }

    private static func eventAttributes(_ event: TeamEvent) -> [String: AttributeValue] {
        var attributes: [String: AttributeValue] = [
            ItemLayout.lastEventKind: .s(event.change.kind.rawValue),
            ItemLayout.lastEventAt: .number(event.occurredAt),
        ]
        if let player = event.change.player {
            attributes[ItemLayout.lastEventPlayerName] = .s(player.name)
            attributes[ItemLayout.lastEventPlayerPosition] = .s(player.position.rawValue)
        }
        return attributes
    }

    /// The change that wrote this image of a team item (without a sequence), or `nil`
    /// when the writer recorded none: an older server, which stored its event itself.
    /// - Throws: `.corrupt` naming the team when the change cannot be read.
    static func lastEvent(id: TeamID, in image: [String: AttributeValue]) throws(RepositoryError) -> TeamEvent? {
        guard let rawKind = image[ItemLayout.lastEventKind]?.stringValue else { return nil }
        guard let kind = TeamEvent.Kind(rawValue: rawKind) else { throw .corrupt("team \(id) was written by an unknown change \(rawKind)") }
        guard let occurredAt = image[ItemLayout.lastEventAt]?.numberValue.flatMap(Int64.init),
            let version = image[ItemLayout.version]?.numberValue.flatMap(UInt64.init)
        else { throw .corrupt("team \(id) has its last change without a time or version") }
        let player = image[ItemLayout.lastEventPlayerPosition]?.stringValue.flatMap(Position.init(rawValue:)).map { position in
            Player(name: image[ItemLayout.lastEventPlayerName]?.stringValue ?? "", position: position)
        }
        let name = image[ItemLayout.teamName]?.stringValue ?? ""
        guard let change = TeamEvent.Change(kind: kind, teamName: name, player: player) else {
            throw .corrupt("team \(id) has a last change \(rawKind) without its player")
        }
        return TeamEvent(teamID: id, version: version, change: change, occurredAt: occurredAt)
    }

    /// The name key a team item is listed under in the names index, `nil` for none
    /// (a tombstone, or not a team). Items of the Go service have no `nameKey`.
    static func listedNameKey(_ image: [String: AttributeValue]?) -> String? {
        guard let image, !isTombstone(image) else { return nil }
        if let key = image[ItemLayout.nameKey]?.stringValue { return key }
        return image[ItemLayout.teamName]?.stringValue?.lowercased()
    }

    /// The team's data without its key: what an idempotency record keeps.
    static func attributes(_ team: Team) -> [String: AttributeValue] {
        [
            ItemLayout.teamName: .s(team.name),
            ItemLayout.players: .l(team.players.map { player in
                .m([ItemLayout.playerName: .s(player.name), ItemLayout.playerPosition: .s(player.position.rawValue)])
            }),
            ItemLayout.version: .number(team.version),
        ]
    }

    /// The team in `item`.
    /// - Throws: `.corrupt` naming the item when it is not a readable team.
    static func team(from item: [String: AttributeValue]) throws(RepositoryError) -> Team {
        guard let rawID = item[ItemLayout.id]?.stringValue else { throw .corrupt("a team item has no string id") }
        guard let id = TeamID(rawID) else { throw .corrupt("team item id \(rawID) is not an xid") }
        return try team(id: id, from: item)
    }

    static func team(id: TeamID, from item: [String: AttributeValue]) throws(RepositoryError) -> Team {
        guard !isTombstone(item) else { throw .corrupt("team \(id) is deleted") }
        guard let name = item[ItemLayout.teamName]?.stringValue else { throw .corrupt("team \(id) has no teamName") }
        let version: UInt64
        switch item[ItemLayout.version] {
        case nil, .null?:
            version = 1  // written by the Go service, which had no versions
        case .n(let text)?:
            guard let parsed = UInt64(text) else { throw .corrupt("team \(id) has version \(text)") }
            version = parsed
        default:
            throw .corrupt("team \(id) has a non-numeric version")
        }
        return Team(id: id, name: name, players: try players(item[ItemLayout.players], team: id), version: version)
    }

    /// Whether the item was written with a `nameKey` (by this service rather than the Go one).
    static func hasNameKey(_ item: [String: AttributeValue]) -> Bool {
        item[ItemLayout.nameKey]?.stringValue != nil
    }

    private static func players(_ value: AttributeValue?, team id: TeamID) throws(RepositoryError) -> [Player] {
        switch value {
        case nil, .null?:
            return []
        case .l(let list)?:
            var players: [Player] = []
            players.reserveCapacity(list.count)
            for element in list {
                guard let map = element.mapValue, let name = map[ItemLayout.playerName]?.stringValue,
                    let code = map[ItemLayout.playerPosition]?.stringValue
                else { throw .corrupt("team \(id) has a player that is not {name, position}") }
                players.append(Player(name: name, position: try position(code, team: id)))
            }
            return players
        case .s(let json)?:
            return try legacyPlayers(json: json, team: id)
        default:
            throw .corrupt("team \(id) has players that are neither a list nor a JSON string")
        }
    }

    /// The Go service's `players`: a JSON array of objects, `""` or `null` for none.
    static func legacyPlayers(json: String, team id: TeamID) throws(RepositoryError) -> [Player] {
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "null" { return [] }
        guard let array = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [Any] else {
            throw .corrupt("team \(id) has players that are not a JSON array")
        }
        var players: [Player] = []
        for element in array {
            guard let object = element as? [String: Any] else { throw .corrupt("team \(id) has a player that is not a JSON object") }
            func field(_ name: String) -> String? {
                object.first { $0.key.lowercased() == name }?.value as? String
            }
            guard let name = field("name"), let code = field("position") else {
                throw .corrupt("team \(id) has a player without name or position")
            }
            players.append(Player(name: name, position: try position(code, team: id)))
        }
        return players
    }

    /// A position code (`GK`, `def`, ...) or its spelled-out name (`goalkeeper`).
    private static func position(_ code: String, team id: TeamID) throws(RepositoryError) -> Position {
        if let position = Position(code: code) { return position }
        let lowered = code.lowercased()
        if let position = Position.allCases.first(where: { "\($0)" == lowered }) { return position }
        throw .corrupt("team \(id) has a player with unknown position \(code)")
    }
}
