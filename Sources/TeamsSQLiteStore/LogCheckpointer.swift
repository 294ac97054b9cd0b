import GRDB

/// Copies the write-ahead log's pages into the database file from a connection of its
/// own, while commits go on.
///
/// SQLite checkpoints on the connection that commits, once the log passes
/// `wal_autocheckpoint` pages, and every write queued meanwhile waits for the whole copy.
/// A passive checkpoint from another connection copies without stopping the writer, so
/// the writer's own checkpoint, which restarts the log, finds little left to copy.
final class LogCheckpointer: Sendable {
    /// How often the log is copied while commits happen.
    static let interval: Duration = .milliseconds(100)

    private let connection: DatabaseQueue

    /// Opens a connection of its own to the database at `path`.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "teams-checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Copies what the log holds that the file does not, as far as readers allow.
    /// A failure is left to the next call, and to the writer's own checkpoint.
    func checkpoint() async {
        _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// Checkpoints every `interval` in which the count of commits moved. `commits`
    /// returns nil once the store is gone, which ends the task.
    func start(commits: @escaping @Sendable () -> UInt64?) {
        Task.detached(priority: .utility) { [self] in
            var checkpointed: UInt64 = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                guard let count = commits() else { return }
                guard count != checkpointed else { continue }
                checkpointed = count
                await checkpoint()
            }
        }
    }
}
