import Foundation
import GRDB
import GRDBSQLite
import TeamsDomain

/// A value for a placeholder of one of this store's statements, bound through SQLite's
/// C API (`Statement.withBindings`).
enum SQLValue: Sendable {
    case text(String)
    /// A team id, bound as its 20-character text without making a String.
    case teamID(TeamID)
    case integer(Int64)
    case blob([UInt8])
    case null

    init(_ text: String?) { self = text.map(SQLValue.text) ?? .null }

    /// How many bytes the value's text or BLOB takes.
    fileprivate var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .teamID: TeamID.encodedLength
        case .blob(let bytes): bytes.count
        case .integer, .null: 0
        }
    }
}

extension Statement {
    /// Binds `values` and runs the statement.
    func run(_ values: [SQLValue]) throws {
        try withBindings(values) { try execute() }
    }

    /// Calls `body` with `values` bound, one per placeholder in order, for a run of the
    /// statement (`execute()`, or a fetch without arguments), and unbinds them after.
    ///
    /// GRDB's arguments box each value, bind text through a C string, which for a short
    /// string allocates a copy, and have SQLite copy it again. Here the bytes of all
    /// values are laid out in one buffer, on the stack when they are few, which SQLite
    /// reads in place while `body` runs. Each statement of this store has its placeholders
    /// fixed by its SQL, so their count is checked in debug builds only.
    func withBindings<T>(_ values: [SQLValue], _ body: () throws -> T) throws -> T {
        assert(values.count == Int(sqlite3_bind_parameter_count(sqliteStatement)), "\(values.count) values for \(sql)")
        // Empty arguments that GRDB takes as bound, so that its `execute()` keeps the bindings below.
        setUncheckedArguments(StatementArguments())
        // At least one byte, so that an empty text or BLOB has a pointer that is not NULL (which binds NULL).
        let byteCount = values.reduce(1) { $0 + $1.byteCount }
        return try withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 1) { buffer in
            defer { sqlite3_clear_bindings(sqliteStatement) }
            var offset = 0
            for (position, value) in values.enumerated() {
                let index = Int32(position + 1)
                let start = buffer.baseAddress! + offset
                let code: Int32
                switch value {
                case .integer(let integer): code = sqlite3_bind_int64(sqliteStatement, index, integer)
                case .null: code = sqlite3_bind_null(sqliteStatement, index)
                case .text(var text):
                    let length = text.withUTF8 { Self.copy($0, to: start) }
                    code = sqlite3_bind_text(sqliteStatement, index, start.assumingMemoryBound(to: CChar.self), Int32(length), nil)
                    offset += length
                case .teamID(let id):
                    let length = id.withUTF8 { Self.copy($0, to: start) }
                    code = sqlite3_bind_text(sqliteStatement, index, start.assumingMemoryBound(to: CChar.self), Int32(length), nil)
                    offset += length
                case .blob(let bytes):
                    let length = bytes.withUnsafeBufferPointer { Self.copy($0, to: start) }
                    code = sqlite3_bind_blob(sqliteStatement, index, start, Int32(length), nil)
                    offset += length
                }
                guard code == SQLITE_OK else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind value \(index)", sql: sql)
                }
            }
            // No destructor (SQLite's SQLITE_STATIC): SQLite reads the buffer in place until the bindings are cleared.
            return try body()
        }
    }

    /// Whether the statement, run with its bindings, yields a row: a lookup that needs no
    /// more than that answer, without GRDB's cursor and row.
    func yieldsRow() throws -> Bool {
        sqlite3_reset(sqliteStatement)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
        }
    }

    /// Copies `bytes` to `destination`; returns how many. Values are bounded far below
    /// `Int32.max` before they reach a store (names by `TeamRules`, keys by the wire).
    private static func copy(_ bytes: UnsafeBufferPointer<UInt8>, to destination: UnsafeMutableRawPointer) -> Int {
        precondition(bytes.count <= Int(Int32.max), "a value of \(bytes.count) bytes")
        if let source = bytes.baseAddress { destination.copyMemory(from: source, byteCount: bytes.count) }
        return bytes.count
    }
}
