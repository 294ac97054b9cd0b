import TeamsDomain

/// The JSON of players: an array of `{"name": …, "position": …}`, the layout
/// `JSONEncoder` wrote. Team rows written before `PlayersBlob` hold it in their
/// `players` column, and an idempotency key's row holds its team in it.
///
/// Hand-written because Foundation's encoder boxes each value and casts it at run
/// time, and cost more than SQLite itself.
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

    /// `text` as a JSON string, quotes included.
    static func string(_ text: String) -> String {
        var json: [UInt8] = []
        json.reserveCapacity(text.utf8.count + 2)
        appendString(text, to: &json)
        return String(decoding: json, as: UTF8.self)
    }

    private static func append(_ literal: StaticString, to json: inout [UInt8]) {
        json.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped,
    /// everything else as its UTF-8, copied in runs between the bytes that need escapes.
    private static func appendString(_ string: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices where bytes[index] < 0x20 || bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") {
                json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(bytes[index], to: &json)
                runStart = index + 1
            }
            json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        json.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to json: inout [UInt8]) {
        guard byte < 0x20 else { return json.append(contentsOf: [UInt8(ascii: "\\"), byte]) }
        let hex = Array("0123456789abcdef".utf8)
        json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
    }
}

extension PlayersJSON {
    /// The players `encode` wrote, as names and position names; `nil` for anything
    /// else, which `TeamRow` then hands to Foundation's decoder to accept (another
    /// key order, whitespace, keys it ignores) or to name as corrupt.
    ///
    /// Hand-written for the same reason as `encode`: every team read from the file
    /// (a search page reads up to 51) decodes its players.
    static func decode(_ json: String) -> [(name: String, position: String)]? {
        var json = json
        return json.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.players()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        mutating func players() -> [(name: String, position: String)]? {
            guard take("[") else { return nil }
            var players: [(name: String, position: String)] = []
            if take("]") { return offset == bytes.count ? players : nil }
            repeat {
                guard take("{"), take(#""name":"#), let name = string(), take(#","position":"#), let position = string(), take("}") else { return nil }
                players.append((name, position))
            } while take(",")
            return take("]") && offset == bytes.count ? players : nil
        }

        /// Consumes `literal` if the bytes go on with it.
        private mutating func take(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - offset >= count else { return false }
            for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] { return false }
            offset += count
            return true
        }

        /// A JSON string, its escapes undone; `nil` for a control character, a bad
        /// escape or bytes that are not UTF-8.
        private mutating func string() -> String? {
            guard take("\"") else { return nil }
            var text: [UInt8] = []
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: text, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard offset < bytes.count else { return nil }
                    let escape = bytes[offset]
                    offset += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        text.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    text.append(byte)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, and a second escape for a surrogate pair.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let unit = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(unit) {
                guard take("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(unit)  // nil for a lone low surrogate
        }

        private mutating func hex4() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                offset += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }
}
