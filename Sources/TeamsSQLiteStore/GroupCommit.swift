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

    private struct State {
        var pending: [Write] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())

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
            if startCommitting { Task { await self.commitUntilDrained() } }
        }
        return result.withLock { $0! }
    }

    /// Writes per commit, and how long each commit took, its fsync included.
    static let batchSize = Recorder(label: "teams_sqlite_group_commit_writes")
    static let commitDuration = Timer(label: "teams_sqlite_commit_duration_seconds")

    private func commitUntilDrained() async {
        while true {
            let batch = state.withLock { state -> [Write] in
                if state.pending.isEmpty { state.committing = false }
                defer { state.pending.removeAll() }
                return state.pending
            }
            guard !batch.isEmpty else { return }
            Self.batchSize.record(batch.count)
            let started = ContinuousClock.now
            defer { Self.commitDuration.record(duration: ContinuousClock.now - started) }
            do {
                try await pool.write { database in
                    for write in batch {
                        do {
                            try database.inSavepoint {
                                write.committed = try write.apply(database)
                                return .commit
                            }
                        } catch let rejection as RepositoryError {
                            write.rejection = rejection
                            write.committed = nil
                        }
                        // Any other error (I/O, disk full) may have ended the transaction: fail the batch.
                    }
                }
                for write in batch { write.committed?() }
                for write in batch {
                    if let rejection = write.rejection {
                        write.continuation.resume(throwing: rejection)
                    } else {
                        write.continuation.resume()
                    }
                }
            } catch {
                for write in batch { write.continuation.resume(throwing: error) }
            }
        }
    }
}
