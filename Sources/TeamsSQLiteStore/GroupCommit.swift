import Dispatch
import GRDB
import Metrics
import Synchronization
import TeamsDomain

/// Runs concurrent writes in shared transactions: one commit, one fsync, many writes.
///
/// A write waits while a commit is in progress; everything that queued up
/// meanwhile then commits together. Each write runs in its own savepoint, so one
/// that fails its checks (a version conflict) rolls back alone and the others
/// still commit. A caller is resumed only after the commit that holds its write
/// returned, so an acknowledged write is on disk (with `synchronous=FULL`). If the
/// commit fails, every write in it fails and none is acknowledged.
///
/// Commits are pipelined: once a commit is on disk, the next one starts on the
/// writer connection while the `committed` hooks of the one before run, in commit
/// order, on a queue of their own, which then resumes its callers.
final class GroupCommit: Sendable {
    private final class Write: @unchecked Sendable {
        /// Runs the write; returns what to do once its commit is on disk.
        let apply: (Database) throws -> (() -> Void)?
        let continuation: CheckedContinuation<Void, any Error>
        var rejection: RepositoryError?
        var committed: (() -> Void)?

        init(apply: @escaping (Database) throws -> (() -> Void)?, continuation: CheckedContinuation<Void, any Error>) {
            self.apply = apply
            self.continuation = continuation
        }
    }

    /// A batch handed from the writer connection's queue to `finishing`.
    private struct Batch: @unchecked Sendable {
        let writes: [Write]
    }

    private struct State {
        var pending: [Write] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    private let commitCount = Atomic<UInt64>(0)

    /// Commits that succeeded so far.
    var commits: UInt64 { commitCount.load(ordering: .relaxed) }
    /// Runs commits' hooks and resumes their callers, in commit order, off the writer's queue.
    private let finishing = DispatchQueue(label: "teams.sqlite.committed")

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` inside a shared write transaction and returns its result once committed.
    /// - Parameter committed: called with `body`'s result once the commit is on disk and
    ///   before any caller hears of it, in the order of the commits: what mirrors the file
    ///   in memory (the read cache, the search index) changes in the file's order.
    /// - Throws: the `RepositoryError` `body` threw (its savepoint rolled back), or
    ///   the database error that failed the whole commit.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T, committed: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        let result = Mutex<T?>(nil)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let write = Write(apply: { database in
                let value = try body(database)
                result.withLock { $0 = value }
                return committed.map { committed in { committed(value) } }
            }, continuation: continuation)
            let startCommitting = state.withLock { state in
                state.pending.append(write)
                defer { state.committing = true }
                return !state.committing
            }
            if startCommitting { commitNext() }
        }
        return result.withLock { $0! }
    }

    /// Writes per commit, and how long each commit took, its fsync included.
    static let batchSize = Recorder(label: "teams_sqlite_group_commit_writes")
    static let commitDuration = Timer(label: "teams_sqlite_commit_duration_seconds")

    /// Commits every pending write in one transaction; when it is done, starts the next
    /// commit, if writes queued meanwhile, before its own are finished.
    private func commitNext() {
        let batch = state.withLock { state -> Batch in
            if state.pending.isEmpty { state.committing = false }
            defer { state.pending.removeAll() }
            return Batch(writes: state.pending)
        }
        guard !batch.writes.isEmpty else { return }
        Self.batchSize.record(batch.writes.count)
        let started = ContinuousClock.now
        pool.asyncWrite({ database in
            for write in batch.writes {
                do {
                    try Self.inSavepoint(database) { write.committed = try write.apply(database) }
                } catch let rejection as RepositoryError {
                    write.rejection = rejection
                    write.committed = nil
                }
                // Any other error (I/O, disk full) may have ended the transaction: fail the batch.
            }
        }, completion: { [self] _, result in
            Self.commitDuration.record(duration: ContinuousClock.now - started)
            if case .success = result { commitCount.add(1, ordering: .relaxed) }
            finishing.async { Self.finish(batch, result) }
            commitNext()
        })
    }

    private static func finish(_ batch: Batch, _ result: Result<Void, any Error>) {
        switch result {
        case .success:
            for write in batch.writes { write.committed?() }
            for write in batch.writes {
                if let rejection = write.rejection {
                    write.continuation.resume(throwing: rejection)
                } else {
                    write.continuation.resume()
                }
            }
        case .failure(let error):
            for write in batch.writes { write.continuation.resume(throwing: error) }
        }
    }

    /// Runs `body` in a savepoint that, if `body` throws, rolls back alone and rethrows.
    /// GRDB's `inSavepoint` does the same, but compiles its statements on every call.
    private static func inSavepoint(_ database: Database, _ body: () throws -> Void) throws {
        try database.cachedStatement(sql: "SAVEPOINT write").execute()
        do {
            try body()
        } catch {
            do {
                try database.cachedStatement(sql: "ROLLBACK TO SAVEPOINT write").execute()
                try database.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
            } catch let rollbackError {
                // An error that ended the transaction (a full disk) fails the rollback too, and
                // is the cause to report. A rejection that cannot be rolled back is no longer
                // one write's alone: the rollback's error fails the whole commit.
                throw error is RepositoryError ? rollbackError : error
            }
            throw error
        }
        try database.cachedStatement(sql: "RELEASE SAVEPOINT write").execute()
    }
}
