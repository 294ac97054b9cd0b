import Dispatch
import GRDB
import Metrics
import Synchronization
import TeamsDomain

/// Runs concurrent writes in shared transactions: one commit, one fsync, many writes.
///
/// A write waits while a commit is in progress; everything that queued up
/// meanwhile then commits together. A write that fails its checks (a version
/// conflict) throws a `RepositoryError` and fails alone while the others commit,
/// which asks of it that it changed nothing before it threw: writes decide
/// before they change. There is no savepoint per write to roll one back, because
/// each costs two statements and a copy of every page the write touches. A
/// rejected write that did change rows fails its whole commit instead, so that a
/// half-made change is never committed. A caller is resumed only after the commit
/// that holds its write returned, so an acknowledged write is on disk (with
/// `synchronous=FULL`). If the commit fails, every write in it fails and none is
/// acknowledged.
///
/// Commits are pipelined: once a commit is on disk, the next one starts on the
/// writer connection while the `committed` hooks of the one before run, in commit
/// order, on a queue of their own, which then resumes its callers.
final class GroupCommit: Sendable {
    /// One caller's write, as the writer connection and the hooks' queue see it.
    private protocol Write: AnyObject, Sendable {
        /// Runs the write; a rejection is kept for its caller, any other error fails the commit.
        func apply(_ database: Database) throws
        /// Runs the write's hook, if it was not rejected; its commit is on disk.
        func runHook()
        /// Answers the caller: with the write's outcome once committed, or with `error`.
        func resume(failingWith error: (any Error)?)
    }

    private final class TypedWrite<T: Sendable>: Write, @unchecked Sendable {
        private let body: @Sendable (Database) throws -> T
        private let committed: (@Sendable (T) -> Void)?
        private let continuation: CheckedContinuation<T, any Error>
        private var outcome: Result<T, RepositoryError>?

        init(body: @escaping @Sendable (Database) throws -> T, committed: (@Sendable (T) -> Void)?, continuation: CheckedContinuation<T, any Error>) {
            self.body = body
            self.committed = committed
            self.continuation = continuation
        }

        func apply(_ database: Database) throws {
            let changesBefore = database.totalChangesCount
            do {
                outcome = .success(try body(database))
            } catch let rejection as RepositoryError {
                guard database.totalChangesCount == changesBefore else { throw GroupCommitError.rejectedWriteChangedRows(rejection) }
                outcome = .failure(rejection)
            }
        }

        func runHook() {
            if case .success(let value) = outcome { committed?(value) }
        }

        func resume(failingWith error: (any Error)?) {
            if let error { return continuation.resume(throwing: error) }
            switch outcome {
            case .success(let value): continuation.resume(returning: value)
            case .failure(let rejection): continuation.resume(throwing: rejection)
            case nil: continuation.resume(throwing: GroupCommitError.notApplied)
            }
        }
    }

    /// A batch handed from the writer connection's queue to `finishing`.
    private struct Batch: @unchecked Sendable {
        let writes: [any Write]
    }

    private struct State {
        var pending: [any Write] = []
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
    /// - Parameter body: the write. If it throws a `RepositoryError` (a rejection), it
    ///   must not have changed a row.
    /// - Parameter committed: called with `body`'s result once the commit is on disk and
    ///   before any caller hears of it, in the order of the commits: what mirrors the file
    ///   in memory (the read cache, the search index) changes in the file's order.
    /// - Throws: the `RepositoryError` `body` threw, or the error that failed the whole
    ///   commit: a database error, or `GroupCommitError.rejectedWriteChangedRows`.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T, committed: (@Sendable (T) -> Void)? = nil
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let write = TypedWrite(body: body, committed: committed, continuation: continuation)
            let startCommitting = state.withLock { state in
                state.pending.append(write)
                defer { state.committing = true }
                return !state.committing
            }
            if startCommitting { commitNext() }
        }
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
            // Any error but a rejection (I/O, a full disk) may have ended the transaction: it fails the batch.
            for write in batch.writes { try write.apply(database) }
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
            for write in batch.writes { write.runHook() }
            for write in batch.writes { write.resume(failingWith: nil) }
        case .failure(let error):
            for write in batch.writes { write.resume(failingWith: error) }
        }
    }
}

/// Why `GroupCommit` failed a whole commit without the database failing it.
enum GroupCommitError: Error, CustomStringConvertible {
    /// A write threw a rejection after changing rows, which it must not (`GroupCommit`):
    /// the commit is rolled back rather than keep half of that write.
    case rejectedWriteChangedRows(RepositoryError)
    /// The commit ended before this write ran (it cannot, short of a bug).
    case notApplied

    var description: String {
        switch self {
        case .rejectedWriteChangedRows(let rejection): "a write rejected (\(rejection)) after changing rows; its commit was rolled back"
        case .notApplied: "the commit ended before the write ran"
        }
    }
}
