import AWSDynamoDB
import Foundation
import TeamsDomain

/// How a `Team` is stored as an item (see `ItemLayout`).
///
/// Writing always uses the current layout: `players` as a native list of maps,
/// a numeric `version` and the `nameKey`. Reading also accepts the original Go
/// service's items: `players` as a JSON string (`[{"name":..,"position":..}]`,
/// either key capitalisation) and no `version` (read as 1) or `nameKey`.
enum TeamItem {
    static func item(_ team: Team) -> [String: AttributeValue] {
        var item = attributes(team)
        item[ItemLayout.id] = .s(team.id.description)
        item[ItemLayout.nameKey] = .s(team.nameKey)
        return item
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
