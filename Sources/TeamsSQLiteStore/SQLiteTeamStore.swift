import CSQLiteWALWrites
import Foundation
import GRDB
import Logging
import Metrics
import Synchronization
import TeamsDomain
import TeamsSearchIndex

/// The durable, embedded `TeamStore`: SQLite through GRDB, in WAL mode with
/// `synchronous=FULL`, so a write acknowledged to a caller survives a crash of
/// the process and a loss of power.
///
/// Writes go through `GroupCommit`: concurrent changes share a transaction and
/// its fsync. Each change and its outbox event are written in one transaction.
/// One server process owns a database file at a time (an exclusive lock on
/// `PATH.lock`), which lets memory mirror the file: a `TeamCache` answers reads, and
/// a `SearchIndex` of every name key finds search pages, and `RecentEvents` answers the
/// relay and watchers. A change reaches them after its commit, in commit order, before
/// its caller is answered.
public final class SQLiteTeamStore: TeamStore {
    public let path: String
    /// Internal for tests, which check how its connections are set up.
    let pool: DatabasePool
    private let writes: GroupCommit
    private let checkpointer: LogCheckpointer
    private let clock: WallClock
    private let lockFile: FileHandle
    private let cache: TeamCache?
    private let index: Mutex<SearchIndex>
    /// Kept, like the cache, only when nothing else writes to the file.
    private let recentEvents = Mutex(RecentEvents())
    private var keepsRecentEvents: Bool { cache != nil }

    static let cacheHits = Counter(label: "teams_sqlite_cache_hits_total")
    static let cacheMisses = Counter(label: "teams_sqlite_cache_misses_total")

    /// Opens (creating if needed) the database at `path`, and its parent folder.
    /// - Parameters:
    ///   - maximumBytes: a size quota; writes that would grow the file past it
    ///     fail with `.resourceExhausted`, as on a full disk. `nil` for none.
    ///   - cacheBytes: keep up to about this many bytes of teams in memory for reads
    ///     (`TeamCache`); 0 reads every team from the database. Only for a store that
    ///     nothing else writes to while it is open, as its lock file ensures for servers.
    ///   - logger: told when opening upgrades an existing file's schema, and how long
    ///     building the search index from the file took.
    /// - Throws: `SQLiteStoreError.cannotOpen` naming the path and the cause: no
    ///   permission, not a database, in use by another server, or a team row whose id
    ///   is not an xid.
    public init(
        path: String, maximumBytes: Int? = nil, cacheBytes: Int = 0, clock: WallClock = .system, busyTimeout: TimeInterval = 5,
        logger: Logger? = nil
    ) throws(SQLiteStoreError) {
        self.path = path
        self.clock = clock
        cache = cacheBytes > 0 ? TeamCache(capacityBytes: cacheBytes) : nil
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: path, reason: "cannot create folder \(directory.path): \(Self.describe(error))")
        }
        // The lock is named after the file itself, not the path given: a symlink or another
        // spelling of the same file takes the same lock. SQLite opens it by that name too,
        // so its WAL sits beside the file whatever path a server was given.
        let file = Self.resolved(path)
        lockFile = try Self.lockExclusively(file + ".lock", database: path)

        // Each frame of the log is two writes, its header and its page; a commit's frames go
        // to the file as one write instead (`CSQLiteWALWrites`).
        let gathering = teams_sqlite_gather_wal_writes()
        guard gathering == 0 else {  // SQLITE_OK
            throw .cannotOpen(path: path, reason: "cannot register SQLite's log-gathering VFS (SQLite error \(gathering))")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "teams"
        configuration.prepareDatabase { db in
            // The writer checkpoints (and restarts the log) after this many pages of log;
            // `LogCheckpointer` copies most of them before, from a connection of its own.
            // Fewer, larger checkpoints copy a page that many commits changed once, not
            // once per 1,000 pages of log (SQLite's default); the log grows to about 40 MB.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            // The writer rewrites whole team rows all over the table; SQLite's default
            // page cache (2 MiB) made it read most of their pages back from the file.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)") }
            if let maximumBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, maximumBytes / pageSize))")
            }
        }
        do {
            pool = try DatabasePool(path: file, configuration: configuration)
            // WAL comes with DatabasePool, which then sets the writer to NORMAL: commits not
            // synced, lost on a power cut. FULL syncs the log on every commit, so a write is on
            // disk before its caller hears of it. Set after the pool's own set-up, or it is undone.
            try pool.barrierWriteWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrate(pool, path: path, logger: logger)
            index = Mutex(try Self.searchIndex(of: pool, path: path, logger: logger))
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        writes = GroupCommit(pool: pool)
        do {
            checkpointer = try LogCheckpointer(path: file)
        } catch {
            throw .cannotOpen(path: path, reason: Self.describe(error))
        }
        checkpointer.start { [weak writes] in writes?.commits }
    }

    /// Every team's name key, read from the file in one pass.
    private static func searchIndex(of pool: DatabasePool, path: String, logger: Logger?) throws -> SearchIndex {
        let started = ContinuousClock.now
        let keys = try pool.read { db in
            var keys: [(id: TeamID, nameKey: String)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, name_key FROM teams")
            while let row = try rows.next() {
                let rawID: String = try row.stored("id", of: "a team row")
                guard let id = TeamID(rawID) else { throw RepositoryError.corrupt("team id \(rawID) is not an xid") }
                keys.append((id, try row.stored("name_key", of: "team \(id)")))
            }
            return keys
        }
        let index = SearchIndex(keys)
        logger?.info("search index built", metadata: [
            "path": "\(path)", "teams": "\(keys.count)", "duration": "\(ContinuousClock.now - started)",
        ])
        return index
    }

    /// Brings the schema up to date, saying so before and after an upgrade of a file
    /// that already held teams (a new file's schema is made in an instant).
    private static func migrate(_ pool: DatabasePool, path: String, logger: Logger?) throws {
        let migrator = SQLiteSchema.migrator
        let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        let pending = migrator.migrations.filter { !applied.contains($0) }
        guard !applied.isEmpty, !pending.isEmpty, let logger else { return try migrator.migrate(pool) }
        let teams = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM teams") ?? 0 }
        logger.notice("upgrading the database schema; on a large file this can take a while", metadata: [
            "path": "\(path)", "teams": "\(teams)", "migrations": "\(pending.joined(separator: "; "))",
        ])
        let started = ContinuousClock.now
        try migrator.migrate(pool)
        logger.notice("database schema upgraded", metadata: ["path": "\(path)", "duration": "\(ContinuousClock.now - started)"])
    }

    // MARK: TeamRepository

    public func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        if case .answered(let team) = teamWithoutWaiting(withID: id) { return team }
        guard let cache else { return try await read { db in try TeamRow.fetch(id, in: db) } }
        Self.cacheMisses.increment()
        let generation = cache.generation
        let team = try await read { db in try TeamRow.fetch(id, in: db) }
        if let team { cache.insert(read: team, ifUnchangedSince: generation) }
        return team
    }

    /// Answered for a team in the read cache; any other id must wait for the file,
    /// since the cache holds teams, not their absence.
    public func teamWithoutWaiting(withID id: TeamID) -> ImmediateRead<Team?> {
        guard let team = cache?.team(id) else { return .mustWait }
        Self.cacheHits.increment()
        return .answered(team)
    }

    public func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        do {
            return try await insert(team, event: event, idempotencyKey: idempotencyKey)
        } catch {
            cache?.remove(team.id)
            throw error
        }
    }

    private func insert(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        let now = clock.milliseconds()
        let windowStart = now - Self.idempotencyWindowMilliseconds
        let teamRow = TeamRow.inserting(team), eventRow = EventRow.inserting(event)
        let created = idempotencyKey.map { _ in CreatedTeamBlob.encode(team) }
        let committed: @Sendable (CreateOutcome) -> Void = { [weak self] outcome in
            guard let self, case .created(let team, let sequence) = outcome else { return }
            cache?.insert(written: team)
            index.withLock { $0.set(team.id, nameKey: team.nameKey) }
            remember(event, sequence)
        }
        let outcome = try await write(committed: committed) { db -> CreateOutcome in
            do {
                try TeamRow.insert(teamRow, in: db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                throw RepositoryError.alreadyExists  // before any change, as a rejection must be (`GroupCommit`)
            }
            if let idempotencyKey {
                // Claims the key, taking over an expired claim. A live claim means a repeat: the key's
                // first create answers it, and this one takes back its row, so it leaves nothing.
                try db.cachedStatement(sql: """
                    INSERT INTO idempotency_keys (key, team, team_id, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET team = excluded.team, team_id = excluded.team_id, created_at = excluded.created_at
                    WHERE created_at < ?
                    """).run([.text(idempotencyKey), created.map(SQLValue.blob) ?? .null, .teamID(team.id), .integer(now), .integer(windowStart)])
                if db.changesCount == 0 {
                    try db.cachedStatement(sql: "DELETE FROM teams WHERE id = ?").run([.teamID(team.id)])
                    do {
                        return .repeated(try Self.firstCreate(keyed: idempotencyKey, in: db))
                    } catch let error as RepositoryError {
                        // Not thrown: this write changed rows (and took them back), and a rejection must not.
                        return .failed(error)
                    }
                }
            }
            return .created(team, sequence: try EventRow.insert(eventRow, in: db))
        }
        switch outcome {
        case .created(let team, _), .repeated(let team): return team
        case .failed(let error): throw error
        }
    }

    /// What a create came to, once committed.
    private enum CreateOutcome: Sendable {
        case created(Team, sequence: UInt64)
        /// The idempotency key's first create, as it is now, or as created when deleted since.
        case repeated(Team)
        /// The key's record could not be read (a corrupt row); nothing changed.
        case failed(RepositoryError)
    }

    /// The team that the first create with `key` made: as it is now, or as created when it was deleted since.
    private static func firstCreate(keyed key: String, in db: Database) throws -> Team {
        let record = "idempotency key \(key)"
        let statement = try db.cachedStatement(sql: "SELECT team, team_id FROM idempotency_keys WHERE key = ?")
        guard let row = try statement.withBindings([.text(key)], { try Row.fetchOne(statement) }) else {
            throw RepositoryError.corrupt("\(record) vanished while claimed")
        }
        let rawID: String = try row.stored("team_id", of: record)
        guard let id = TeamID(rawID) else {
            throw RepositoryError.corrupt("\(record) names team \(rawID), which is not an xid")
        }
        if let current = try TeamRow.fetch(id, in: db) { return current }
        return try TeamRow.created(row["team"], id: id, of: record)
    }

    public func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        do {
            try await rewrite(team, expectedVersion: expectedVersion, event: event)
        } catch {
            // A failed write leaves the team's state unknown here: the next read goes to the database.
            cache?.remove(team.id)
            throw error
        }
    }

    private func rewrite(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        // Worked out before the write, so the one thread that commits does not.
        let arguments: [SQLValue] = [
            .text(team.name), .text(team.nameKey), .blob(PlayersBlob.encode(team.players)), .integer(Int64(clamping: team.version)), .teamID(team.id),
            .integer(Int64(clamping: expectedVersion)),
        ]
        let eventRow = EventRow.inserting(event)
        _ = try await write(committed: { [weak self] sequence in
            guard let self else { return }
            cache?.insert(written: team)
            index.withLock { $0.set(team.id, nameKey: team.nameKey) }
            remember(event, sequence)
        }) { db in
            try db.cachedStatement(sql: "UPDATE teams SET name = ?, name_key = ?, players = ?, version = ? WHERE id = ? AND version = ?").run(arguments)
            try Self.checkOneRowChanged(db, id: team.id)
            return try EventRow.insert(eventRow, in: db)
        }
    }

    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        // Gone or unknown: either way the next read goes to the database.
        defer { cache?.remove(id) }
        let eventRow = EventRow.inserting(event)
        _ = try await write(committed: { [weak self] sequence in
            guard let self else { return }
            cache?.remove(id)
            index.withLock { $0.remove(id) }
            remember(event, sequence)
        }) { db in
            try db.cachedStatement(sql: "DELETE FROM teams WHERE id = ? AND version = ?").run([.teamID(id), .integer(Int64(clamping: expectedVersion))])
            try Self.checkOneRowChanged(db, id: id)
            return try EventRow.insert(eventRow, in: db)
        }
    }

    /// The page's ids come from the index, and its teams from the cache or the file.
    /// A change that commits in between can leave a team that no longer matches, or
    /// none: the index is then asked again, and after a few tries the page is what
    /// still matches.
    public func search(_ query: TeamQuery) async throws(RepositoryError) -> TeamPage {
        let needle = Array(query.term.utf8)
        var attempt = 0
        while true {
            attempt += 1
            let ids = index.withLock { $0.ids(matching: query.term, after: query.after, count: max(0, query.limit) + 1) }
            let teams = try await teams(ids)
            let matching = teams.filter { team in
                SearchIndex.contains(team.nameKey, needle) && (query.after?.precedes(team) ?? true)
            }
            if matching.count == ids.count || attempt == 3 {
                return TeamPage(cutting: matching.sorted(by: Team.searchOrder), limit: query.limit)
            }
        }
    }

    /// The teams of `ids` that still exist, in their order: from the cache, and the
    /// rest from the file in one read.
    private func teams(_ ids: [TeamID]) async throws(RepositoryError) -> [Team] {
        var found: [TeamID: Team] = [:]
        var missing: [TeamID] = []
        for id in ids {
            if let team = cache?.team(id) { found[id] = team } else { missing.append(id) }
        }
        if !missing.isEmpty {
            let generation = cache?.generation ?? 0
            let read = try await read { [missing] db in try TeamRow.fetch(missing, in: db) }
            for team in read {
                found[team.id] = team
                cache?.insert(read: team, ifUnchangedSince: generation)
            }
        }
        return ids.compactMap { found[$0] }
    }

    // MARK: EventOutbox

    public func events(after sequence: UInt64, limit: Int) async throws(RepositoryError) -> [TeamEvent] {
        if keepsRecentEvents, let recent = recentEvents.withLock({ $0.events(after: sequence, limit: limit) }) { return recent }
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(EventRow.columns) FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?"), arguments: [Int64(clamping: sequence), limit])
                .map(EventRow.event(from:))
        }
    }

    public func latestSequence() async throws(RepositoryError) -> UInt64 {
        try await read { db in
            // sqlite_sequence keeps the last sequence even when pruning emptied the table.
            try UInt64(stored: try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'events'") ?? 0, "the last event sequence")
        }
    }

    public func deliveredSequence() async throws(RepositoryError) -> UInt64 {
        try await read { db in
            try UInt64(stored: try Int64.fetchOne(db, sql: "SELECT delivered FROM relay WHERE id = 1") ?? 0, "the delivered sequence")
        }
    }

    public func markDelivered(through sequence: UInt64) async throws(RepositoryError) {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE relay SET delivered = max(delivered, ?) WHERE id = 1").execute(arguments: [Int64(clamping: sequence)])
        }
    }

    public func prune(before unixMilliseconds: Int64) async throws(RepositoryError) -> Int {
        let keysBefore = clock.milliseconds() - Self.idempotencyWindowMilliseconds
        // Pruned events must not be read from memory either.
        return try await write(committed: { [weak self] _ in self?.recentEvents.withLock { $0.removeAll() } }) { db in
            // The oldest events, up to the first one that is not old: the walk reads what it
            // deletes, and one row more. An old event after a newer one (a clock set back)
            // stays until the events before it go.
            try db.execute(
                sql: """
                    DELETE FROM events WHERE sequence < coalesce(
                        (SELECT sequence FROM events WHERE occurred_at >= ? ORDER BY sequence LIMIT 1),
                        (SELECT max(sequence) FROM events) + 1)
                    """, arguments: [unixMilliseconds])
            let pruned = db.changesCount
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [keysBefore])
            return pruned
        }
    }

    // MARK: Maintenance

    /// SQLite's `PRAGMA integrity_check`: "ok" for a healthy file, else the problems found.
    public func integrityCheck() async throws(RepositoryError) -> String {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: Helpers

    /// Keeps `event`, just committed under `sequence`, for reads of new events.
    private func remember(_ event: TeamEvent, _ sequence: UInt64) {
        guard keepsRecentEvents else { return }
        var stored = event
        stored.sequence = sequence
        recentEvents.withLock { $0.append(stored) }
    }

    static let idempotencyWindowMilliseconds: Int64 = 24 * 60 * 60 * 1000

    /// The writer connection's page cache, in KiB (SQLite's `cache_size`, negative for KiB).
    static let writerCacheKiB = 64 << 10

    /// After a conditional UPDATE or DELETE: nothing changed means a missing team or another version.
    private static func checkOneRowChanged(_ db: Database, id: TeamID) throws {
        guard db.changesCount == 0 else { return }
        guard let actual = try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM teams WHERE id = ?"), arguments: [id.description]) else {
            throw RepositoryError.notFound
        }
        let version = try UInt64(stored: actual, "team \(id)'s version")
        throw RepositoryError.versionConflict(actual: version)
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(RepositoryError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.repositoryError(error)
        }
    }

    private func write<T: Sendable>(
        committed: (@Sendable (T) -> Void)? = nil, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(RepositoryError) -> T {
        do {
            return try await writes.perform(body, committed: committed)
        } catch {
            throw Self.repositoryError(error)
        }
    }

    /// SQLite's failures in the store's terms.
    static func repositoryError(_ error: any Error) -> RepositoryError {
        if let error = error as? RepositoryError { return error }
        // Rows are read with `Row.stored`, which throws `.corrupt` itself; this is the fallback.
        if error is RowDecodingError { return .corrupt("\(error)") }
        guard let error = error as? DatabaseError else { return .unavailable("\(error)") }
        switch error.resultCode {
        case .SQLITE_FULL: return .resourceExhausted("the disk is full: \(error.message ?? "SQLITE_FULL")")
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .unavailable("the database is busy: \(error.message ?? "")")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt(error.message ?? "\(error)")
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: return .unavailable("cannot write the database: \(error.message ?? "")")
        default: return .unavailable("SQLite error \(error.resultCode.rawValue): \(error.message ?? "")")
        }
    }

    static func describe(_ error: any Error) -> String {
        if case .corrupt(let problem) = error as? RepositoryError { return "the database is corrupt: \(problem)" }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB: return "the file is not a SQLite database"
            case .SQLITE_CANTOPEN: return "cannot open the file (missing folder or no permission)"
            case .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH: return "no permission to read and write it"
            case .SQLITE_BUSY, .SQLITE_LOCKED: return "it is locked by another process"
            case .SQLITE_CORRUPT: return "the database is corrupt"
            default: return error.message ?? "\(error)"
            }
        }
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return "\(error)"
    }

    /// `path` with every symbolic link and `.` or `..` resolved; a file not created yet
    /// is resolved through its folder (which exists by then).
    static func resolved(_ path: String) -> String {
        if let full = realpath(path, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        let url = URL(fileURLWithPath: path)
        guard let folder = realpath(url.deletingLastPathComponent().path, nil) else { return path }
        defer { free(folder) }
        return URL(fileURLWithPath: String(cString: folder)).appendingPathComponent(url.lastPathComponent).path
    }

    /// Takes `lockPath`'s exclusive lock for the life of the store, so two servers never share a file.
    private static func lockExclusively(_ lockPath: String, database: String) throws(SQLiteStoreError) -> FileHandle {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .cannotOpen(path: database, reason: "cannot create lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .cannotOpen(path: database, reason: "it is in use by another teams-server (\(lockPath) is locked)")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}

/// Why a SQLite store could not start.
public enum SQLiteStoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open SQLite database \(path): \(reason)"
        }
    }
}
