import GRDB
import Synchronization
import TeamsDomain
@testable import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

final class GroupCommitTests: XCTestCase {
    private func openPool(_ folder: TemporaryFolder) throws -> DatabasePool {
        let pool = try DatabasePool(path: folder.path("commits.sqlite"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE writes (position INTEGER PRIMARY KEY AUTOINCREMENT, value INTEGER NOT NULL)") }
        return pool
    }

    /// Hooks see the writes in the file's order, and each caller hears back only after its hook ran.
    func testHooksRunInCommitOrderBeforeTheirCallersResume() async throws {
        let folder = try TemporaryFolder()
        let pool = try openPool(folder)
        let commits = GroupCommit(pool: pool)
        let hooked = Hooked()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in 0..<500 {
                group.addTask {
                    let position = try await commits.perform({ db in
                        try db.execute(sql: "INSERT INTO writes (value) VALUES (?)", arguments: [value])
                        return db.lastInsertedRowID
                    }, committed: { position in hooked.values.withLock { $0.append(position) } })
                    XCTAssertTrue(hooked.values.withLock { $0.contains(position) }, "write \(position) answered before its hook ran")
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(hooked.values.withLock { $0 }, Array(1...500))
        XCTAssertGreaterThan(commits.commits, 0)
        XCTAssertLessThanOrEqual(commits.commits, 500)
        let stored = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM writes") }
        XCTAssertEqual(stored, 500)
    }

    /// A write that rejects before changing anything fails alone; the others in its commit stay.
    func testARejectedWriteFailsAloneAndTheOthersCommit() async throws {
        let folder = try TemporaryFolder()
        let pool = try openPool(folder)
        let commits = GroupCommit(pool: pool)
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for value in 0..<100 {
                group.addTask {
                    do {
                        try await commits.perform { db in
                            if value % 3 == 0 { throw RepositoryError.versionConflict(actual: 7) }
                            try db.execute(sql: "INSERT INTO writes (value) VALUES (?)", arguments: [value])
                        }
                        return (value, true)
                    } catch let error as RepositoryError {
                        XCTAssertEqual(error, .versionConflict(actual: 7))
                        return (value, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let stored = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT value FROM writes ORDER BY value") }
        XCTAssertEqual(stored, (0..<100).filter { $0 % 3 != 0 })
        XCTAssertEqual(outcomes.filter(\.value).keys.sorted(), stored)
    }

    /// A write that rejects after changing rows breaks `perform`'s contract: rather than
    /// commit half of it, its whole commit fails, and nothing of it is kept.
    func testARejectionAfterAChangeFailsTheWholeCommit() async throws {
        try await assertTheWholeCommitFails(in: TemporaryFolder(), writing: { db in
            try db.execute(sql: "INSERT INTO writes (value) VALUES (1)")
            throw RepositoryError.versionConflict(actual: 2)
        }) { error in
            guard case .rejectedWriteChangedRows(.versionConflict(actual: 2)) = error as? GroupCommitError else { return XCTFail("\(error)") }
        }
    }

    /// An error that is not a rejection fails every write of its commit, and none is kept.
    func testAnyOtherErrorFailsTheWholeCommit() async throws {
        let folder = try TemporaryFolder()
        let pool = try await assertTheWholeCommitFails(in: folder, writing: { db in
            try db.execute(sql: "INSERT INTO writes (value) VALUES (1)")
            try db.execute(sql: "INSERT INTO no_such_table (value) VALUES (1)")
        }) { error in
            XCTAssertTrue(error is DatabaseError, "\(error)")
        }
        // And the next commit goes on.
        let commits = GroupCommit(pool: pool)
        try await commits.perform { db in try db.execute(sql: "INSERT INTO writes (value) VALUES (2)") }
        let after = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT value FROM writes") }
        XCTAssertEqual(after, [2])
    }

    /// `write` fails its commit, in a new database in `folder`, with an error `check`
    /// accepts; its hook never runs, and nothing of it is kept. Returns the pool, for more.
    @discardableResult
    private func assertTheWholeCommitFails(
        in folder: TemporaryFolder, writing write: @escaping @Sendable (Database) throws -> Void, _ check: (any Error) -> Void
    ) async throws -> DatabasePool {
        let pool = try openPool(folder)
        let commits = GroupCommit(pool: pool)
        let hooked = Hooked()
        do {
            try await commits.perform(write, committed: { _ in hooked.values.withLock { $0.append(0) } })
            XCTFail("the commit must fail")
        } catch {
            check(error)
        }
        XCTAssertEqual(hooked.values.withLock { $0 }, [])
        let stored = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM writes") }
        XCTAssertEqual(stored, 0)
        return pool
    }
}

/// What hooks saw, shared with them.
private final class Hooked: Sendable {
    let values = Mutex<[Int64]>([])
}
