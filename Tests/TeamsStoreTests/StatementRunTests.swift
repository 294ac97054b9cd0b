import Foundation
import GRDB
import TeamsDomain
@testable import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// `Statement.bind`: each value reaches SQLite as GRDB's own binding would store it.
final class StatementRunTests: XCTestCase {
    func testValuesAreStoredWithTheirTypeAndBytes() throws {
        let queue = try DatabaseQueue()
        let id = TeamIDGenerator.forThisProcess().next()
        let rows: [[SQLValue]] = [
            [.text("Ajax"), .teamID(id), .integer(-7), .blob([0, 1, 255]), .null],
            [.text(""), .text("Élan café ⚽️ and a name longer than fifteen bytes"), .integer(.max), .blob([]), SQLValue(nil)],
        ]
        let stored = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a, b, c, d, e)")
            for values in rows { try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?)").run(values) }
            return try Row.fetchAll(db, sql: "SELECT a, b, c, d, e, typeof(a), typeof(d), typeof(e) FROM t ORDER BY rowid")
        }
        XCTAssertEqual(stored[0]["a"] as String?, "Ajax")
        XCTAssertEqual(stored[0]["b"] as String?, id.description)
        XCTAssertEqual(stored[0]["c"] as Int64?, -7)
        XCTAssertEqual(stored[0]["d"] as Data?, Data([0, 1, 255]))
        XCTAssertEqual(stored[0][7] as String?, "null")
        XCTAssertEqual(stored[1]["a"] as String?, "")
        XCTAssertEqual(stored[1][5] as String?, "text", "an empty string is text, not NULL")
        XCTAssertEqual(stored[1]["b"] as String?, "Élan café ⚽️ and a name longer than fifteen bytes")
        XCTAssertEqual(stored[1]["c"] as Int64?, .max)
        XCTAssertEqual(stored[1][6] as String?, "blob", "an empty blob is a blob, not NULL")
        XCTAssertEqual(stored[1][7] as String?, "null")
    }

    /// Bound values hold for a fetch without arguments inside `withBindings`; each call binds its own.
    func testAFetchReadsTheBoundValues() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
            try db.execute(sql: "INSERT INTO t VALUES ('a', 1), ('b', 2)")
            let statement = try db.cachedStatement(sql: "SELECT v FROM t WHERE k = ?")
            XCTAssertEqual(try statement.withBindings([.text("b")]) { try Int.fetchOne(statement) }, 2)
            XCTAssertEqual(try statement.withBindings([.text("a")]) { try Int.fetchOne(statement) }, 1)
            XCTAssertNil(try statement.withBindings([.text("c")]) { try Int.fetchOne(statement) })
        }
    }
}
