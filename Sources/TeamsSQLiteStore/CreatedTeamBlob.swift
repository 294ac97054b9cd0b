import Foundation
import TeamsDomain

/// The `team` column of an idempotency key's row as keys are claimed now: the team as
/// its create made it, in a BLOB holding its version and its name's length in bytes
/// (both unsigned LEB128), the name's UTF-8, then its players as `PlayersBlob` lays
/// them out. The id is the row's `team_id`.
///
/// Rows claimed before hold the team as JSON (`TeamRow.decode(json:)`), still read
/// until they expire.
enum CreatedTeamBlob {
    static func encode(_ team: Team) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + team.name.utf8.count + team.players.reduce(0) { $0 + 2 + $1.name.utf8.count })
        PlayersBlob.appendNumber(team.version, to: &bytes)
        PlayersBlob.appendNumber(team.name.utf8.count, to: &bytes)
        bytes.append(contentsOf: team.name.utf8)
        PlayersBlob.append(team.players, to: &bytes)
        return bytes
    }

    /// Team `id` as `blob` holds it, or nil for bytes that are not this layout.
    static func decode(_ blob: Data, id: TeamID) -> Team? {
        var index = blob.startIndex
        guard let version = PlayersBlob.readNumber(blob, at: &index, maximumBytes: 10),
            let name = PlayersBlob.readString(blob, at: &index),
            let players = PlayersBlob.decode(blob[index...])
        else { return nil }
        return Team(id: id, name: name, players: players, version: version)
    }
}
