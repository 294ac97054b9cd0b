import Foundation
import TeamsDomain

/// The `players` column as teams are written now: a BLOB holding, per player in squad
/// order, a position byte (`GK` 0, `DEF` 1, `MID` 2, `ST` 3), the name's length in
/// bytes as an unsigned LEB128 number, and the name's UTF-8.
///
/// A change of a team rewrites its whole row. About 8 bytes a player, against about
/// 40 for the JSON that rows written before hold (`PlayersJSON`, still read), keeps a
/// full squad within the row's page instead of spilling into an overflow page.
enum PlayersBlob {
    static func encode(_ players: [Player]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(players.reduce(0) { $0 + 2 + $1.name.utf8.count })
        for player in players {
            bytes.append(code(of: player.position))
            var length = player.name.utf8.count
            while length >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            bytes.append(UInt8(length))
            bytes.append(contentsOf: player.name.utf8)
        }
        return Data(bytes)
    }

    /// The players in `blob`, or nil for bytes that are not this layout: an unknown
    /// position, a length past the end or of more than 4 bytes, a name not UTF-8.
    static func decode(_ blob: Data) -> [Player]? {
        var players: [Player] = []
        var index = blob.startIndex
        while index < blob.endIndex {
            guard let position = position(coded: blob[index]) else { return nil }
            index += 1
            var length = 0
            var shift = 0
            while true {
                guard index < blob.endIndex, shift <= 21 else { return nil }
                let byte = blob[index]
                index += 1
                length |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            guard length <= blob.endIndex - index,
                let name = String(validating: blob[index..<(index + length)], as: UTF8.self)
            else { return nil }
            index += length
            players.append(Player(name: name, position: position))
        }
        return players
    }

    private static func code(of position: Position) -> UInt8 {
        switch position {
        case .goalkeeper: 0
        case .defender: 1
        case .midfielder: 2
        case .striker: 3
        }
    }

    private static func position(coded code: UInt8) -> Position? {
        switch code {
        case 0: .goalkeeper
        case 1: .defender
        case 2: .midfielder
        case 3: .striker
        default: nil
        }
    }
}
