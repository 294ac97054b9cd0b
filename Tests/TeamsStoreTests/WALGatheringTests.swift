import CSQLiteWALWrites
import GRDBSQLite
import GRDB
import TeamsTestSupport
import XCTest

/// `CSQLiteWALWrites`: a log whose writes are gathered reads back, from every
/// connection, as SQLite wrote it.
final class WALGatheringTests: XCTestCase {
    override func setUp() {
        XCTAssertEqual(teams_sqlite_gather_wal_writes(), 0)
    }

    func testTheGatheringVFSIsTheDefault() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.path("any.sqlite"))
        let name = queue.inDatabase { db in String(cString: sqlite3_vfs_find(nil)!.pointee.zName) }
        XCTAssertEqual(name, String(cString: teams_sqlite_wal_gather_vfs_name))
    }

    /// Each commit is read at once by another connection, synced or not: with NORMAL and
    /// OFF nothing syncs the log, and its gathered writes must reach the file anyway. Some
    /// commits are larger than what is gathered at once.
    func testEveryCommitIsReadByOtherConnectionsWhateverTheSyncSetting() throws {
        for synchronous in ["FULL", "NORMAL", "OFF"] {
            let folder = try TemporaryFolder()
            let path = folder.path("log.sqlite")
            var expected = 0
            do {
                let pool = try DatabasePool(path: path)
                try pool.barrierWriteWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                    try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, value BLOB NOT NULL)")
                }
                for commit in 0..<60 {
                    let rows = commit % 10 == 9 ? 40 : 1 + commit % 4  // every tenth commit about 160 KiB
                    try pool.write { db in
                        for _ in 0..<rows { try db.execute(sql: "INSERT INTO rows (value) VALUES (randomblob(4000))") }
                    }
                    expected += rows
                    let read = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rows") }
                    XCTAssertEqual(read, expected, "\(synchronous), commit \(commit)")
                }
                XCTAssertEqual(try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }, "ok", synchronous)
            }
            let reopened = try DatabaseQueue(path: path)
            XCTAssertEqual(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rows") }, expected, synchronous)
        }
    }

    /// A write to the log that fails fails its commit, and leaves no trace: the commits
    /// before and after it are read, at once and after the file is opened again, and the
    /// failed one's rows never are. A small commit fails in its one write; a large one
    /// (about 160 KiB, three writes) fails in its second, after some of its frames reached
    /// the file, which the next, smaller commit then overwrites only in part.
    func testAFailedWriteToTheLogFailsItsCommitAndLeavesNoTrace() throws {
        for (rows, failingAfter) in [(1, 0), (40, 1)] {
            let folder = try TemporaryFolder()
            let path = folder.path("failing.sqlite")
            do {
                let pool = try DatabasePool(path: path)
                try pool.barrierWriteWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA synchronous = FULL")
                    try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, value BLOB NOT NULL)")
                }
                let log = try pool.writeWithoutTransaction { db in
                    String(cString: sqlite3_filename_wal(sqlite3_db_filename(db.sqliteConnection, "main")))
                }
                func commit(_ batch: Int, rows: Int) throws {
                    try pool.write { db in
                        for _ in 0..<rows { try db.execute(sql: "INSERT INTO rows (batch, value) VALUES (?, randomblob(4000))", arguments: [batch]) }
                    }
                }
                try commit(1, rows: rows)
                teams_sqlite_fail_log_writes(log, Int32(failingAfter), 1)
                defer { teams_sqlite_fail_log_writes(log, 0, 0) }
                XCTAssertThrowsError(try commit(2, rows: rows), "\(rows) rows") { error in
                    XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_IOERR, "\(error)")
                }
                try commit(3, rows: 1)
                let batches = try pool.read { db in try Int.fetchAll(db, sql: "SELECT DISTINCT batch FROM rows ORDER BY batch") }
                XCTAssertEqual(batches, [1, 3], "\(rows) rows")
                XCTAssertEqual(try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }, "ok")
            }
            // Opened again, the log is recovered from the file alone.
            let reopened = try DatabaseQueue(path: path)
            let counts = try reopened.read { db in try Int.fetchAll(db, sql: "SELECT count(*) FROM rows GROUP BY batch ORDER BY batch") }
            XCTAssertEqual(counts, [rows, 1], "\(rows) rows")
        }
    }
}
