#ifndef C_SQLITE_WAL_WRITES_H
#define C_SQLITE_WAL_WRITES_H

/// Makes SQLite's default VFS one that gathers the writes of a write-ahead log:
/// consecutive writes (each frame's header and page are two) are copied into a buffer
/// and reach the file as one write, before SQLite syncs, reads, sizes, truncates or
/// closes the log, and whenever they stop being consecutive. Every other file, and
/// every other call, goes straight to the VFS that was the default.
///
/// Idempotent and thread-safe. Returns SQLITE_OK, or SQLite's error from registering.
int teams_sqlite_gather_wal_writes(void);

/// The gathering VFS's name ("teams-wal-gather").
extern const char *const teams_sqlite_wal_gather_vfs_name;

/// Tests: of the writes to the write-ahead log at `logPath` (as SQLite names it,
/// `DATABASE-wal`), the next `after` succeed and the `count` after them fail with
/// SQLITE_IOERR_WRITE, as on a failing disk. A count of 0 ends the failures.
void teams_sqlite_fail_log_writes(const char *logPath, int after, int count);

#endif
