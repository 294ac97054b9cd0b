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
    static func encode(_ players: [Player]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(players.reduce(0) { $0 + 2 + $1.name.utf8.count })
        append(players, to: &bytes)
        return bytes
    }

    /// Appends the layout of `players` to `bytes`.
    static func append(_ players: [Player], to bytes: inout [UInt8]) {
        for player in players {
            bytes.append(code(of: player.position))
            appendNumber(player.name.utf8.count, to: &bytes)
            bytes.append(contentsOf: player.name.utf8)
        }
    }

    /// Appends `number` as unsigned LEB128: 7 bits a byte, low bits first, the top bit
    /// set on every byte but the last.
    static func appendNumber<Number: BinaryInteger>(_ number: Number, to bytes: inout [UInt8]) {
        var number = number
        while number >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: number) | 0x80)
            number >>= 7
        }
        bytes.append(UInt8(number))
    }

    /// Reads an unsigned LEB128 number of at most `maximumBytes` bytes at `index` and
    /// moves past it; nil when it runs past the end or is longer.
    static func readNumber(_ blob: Data, at index: inout Data.Index, maximumBytes: Int = 4) -> UInt64? {
        var number: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < blob.endIndex, shift < 7 * UInt64(maximumBytes) else { return nil }
            let byte = blob[index]
            index += 1
            guard shift < 63 || byte <= 1 else { return nil }  // past 64 bits
            number |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return number }
            shift += 7
        }
    }

    /// The players in `blob`, or nil for bytes that are not this layout: an unknown
    /// position, a length past the end or of more than 4 bytes, a name not UTF-8.
    static func decode(_ blob: Data) -> [Player]? {
        var players: [Player] = []
        var index = blob.startIndex
        while index < blob.endIndex {
            guard let position = position(coded: blob[index]) else { return nil }
            index += 1
            guard let name = readString(blob, at: &index) else { return nil }
            players.append(Player(name: name, position: position))
        }
        return players
    }

    /// Reads a UTF-8 string after its length in bytes (at most 4 bytes of LEB128) at
    /// `index` and moves past it; nil when it runs past the end or is not UTF-8.
    static func readString(_ blob: Data, at index: inout Data.Index) -> String? {
        guard let length = readNumber(blob, at: &index), length <= UInt64(blob.endIndex - index),
            let string = String(validating: blob[index..<(index + Int(length))], as: UTF8.self)
        else { return nil }
        index += Int(length)
        return string
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
