import TeamsDomain

/// Writes the `players` column: a JSON array of `{"name": …, "position": …}`, the
/// layout `JSONEncoder` wrote before, readable by any JSON parser (`TeamRow` reads it
/// back with `JSONDecoder`).
///
/// Hand-written because every write of a team with players writes the whole array,
/// on the one thread that commits: Foundation's encoder boxes each value and casts
/// it at run time, and cost more than SQLite itself.
enum PlayersJSON {
    static func encode(_ players: [Player]) -> String {
        if players.isEmpty { return "[]" }
        var json: [UInt8] = []
        json.reserveCapacity(players.count * 40)
        json.append(UInt8(ascii: "["))
        for index in players.indices {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            append(#"{"name":"#, to: &json)
            appendString(players[index].name, to: &json)
            append(#","position":"#, to: &json)
            appendString(players[index].position.rawValue, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }

    private static func append(_ literal: StaticString, to json: inout [UInt8]) {
        json.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped,
    /// everything else as its UTF-8.
    private static func appendString(_ string: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                json.append(UInt8(ascii: "\\"))
                json.append(byte)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default:
                json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
