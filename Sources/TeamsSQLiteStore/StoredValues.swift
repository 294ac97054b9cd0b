import GRDB
import TeamsDomain

// Reading back what the database holds never traps on it. A damaged file, a manual
// edit or a bug in an older version can leave values that do not parse; they come
// out as `RepositoryError.corrupt` naming the record (which the use cases report as
// an internal error), so one bad row fails one call instead of the whole server.

extension Row {
    /// The value of `column`, e.g. `let name: String = try row.stored("name", of: "team \(id)")`.
    ///
    /// - Throws: `.corrupt` naming `record` and the column when the column is missing,
    ///   holds NULL for a non-optional `Value`, or holds a value that is no `Value`.
    ///   GRDB's `row[column]` subscripts trap on those instead.
    func stored<Value: DatabaseValueConvertible>(_ column: String, of record: @autoclosure () -> String) throws(RepositoryError) -> Value {
        do {
            return try decode(Value.self, forColumn: column)
        } catch {
            throw .corrupt("\(record()) has no readable \(column) (expected \(Value.self))")
        }
    }
}

extension Row {
    /// The value at `index`, named `column` in the error, as `stored(_:of:)` reads it.
    func stored<Value: DatabaseValueConvertible>(_ index: Int, _ column: String, of record: @autoclosure () -> String) throws(RepositoryError) -> Value {
        do {
            guard index < count else { throw RepositoryError.corrupt("") }
            return try decode(Value.self, atIndex: index)
        } catch {
            throw .corrupt("\(record()) has no readable \(column) (expected \(Value.self))")
        }
    }
}

extension UInt64 {
    /// A stored version or sequence, which SQLite keeps as a signed integer.
    /// - Throws: `.corrupt` naming `what` for a negative value, where `UInt64(_:)` would trap.
    init(stored value: Int64, _ what: @autoclosure () -> String) throws(RepositoryError) {
        guard let exact = UInt64(exactly: value) else { throw .corrupt("\(what()) is \(value), which is negative") }
        self = exact
    }
}
