#include "CSQLiteWALWrites.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <string.h>

// Frames of a commit are written one after the other; this many bytes of them
// make one write. A larger run of writes is written through as it comes. The unix VFS
// takes at most 128 KiB a call (it masks the length with 0x1FFFF): this stays below.
enum { GATHER_CAPACITY = 64 * 1024 };

const char *const teams_sqlite_wal_gather_vfs_name = "teams-wal-gather";

typedef struct GatherFile GatherFile;
struct GatherFile {
    sqlite3_file base;
    sqlite3_file *real;          // the default VFS's file, allocated right after this struct
    int isLog;                   // a write-ahead log, whose writes are gathered
    unsigned char *buffer;       // its writes not yet in the file, allocated at the first
    int used;
    sqlite3_int64 start;         // the file offset of buffer[0]
    GatherFile *database;        // a log's database file, while both are open
    GatherFile *log;             // a database file's log, while both are open
    sqlite3_filename name;       // as SQLite opened it; valid while the file is open
};

static sqlite3_vfs *realVFS;

// Tests' injected failures: of the log named `failingLog`, `succeedingWrites` more writes
// succeed, and the `failingWrites` after them fail.
static pthread_mutex_t failureLock = PTHREAD_MUTEX_INITIALIZER;
static char *failingLog;
static int succeedingWrites;
static atomic_int failingWrites;  // read without the lock first, so writes pay one load

void teams_sqlite_fail_log_writes(const char *logPath, int after, int count) {
    pthread_mutex_lock(&failureLock);
    sqlite3_free(failingLog);
    failingLog = count > 0 ? sqlite3_mprintf("%s", logPath) : NULL;
    succeedingWrites = after > 0 ? after : 0;
    atomic_store(&failingWrites, failingLog != NULL ? count : 0);
    pthread_mutex_unlock(&failureLock);
}

static int failsInjected(GatherFile *file) {
    if (!file->isLog) return 0;
    pthread_mutex_lock(&failureLock);
    int fails = 0;
    if (atomic_load(&failingWrites) > 0 && failingLog != NULL && strcmp(failingLog, file->name) == 0) {
        if (succeedingWrites > 0) {
            succeedingWrites -= 1;
        } else {
            atomic_fetch_sub(&failingWrites, 1);
            fails = 1;
        }
    }
    pthread_mutex_unlock(&failureLock);
    return fails;
}

// Every write to the file goes through here.
static int writeThrough(GatherFile *file, const void *bytes, int amount, sqlite3_int64 offset) {
    if (atomic_load_explicit(&failingWrites, memory_order_relaxed) > 0 && failsInjected(file)) return SQLITE_IOERR_WRITE;
    return file->real->pMethods->xWrite(file->real, bytes, amount, offset);
}

// Writes the gathered bytes. On a failure they are dropped, not kept for later: SQLite
// hears of the error and fails the transaction they belong to, and frames of a failed
// transaction written later could be taken for a commit when the log is recovered.
static int flush(GatherFile *file) {
    if (file->used == 0) return SQLITE_OK;
    int rc = writeThrough(file, file->buffer, file->used, file->start);
    file->used = 0;
    return rc;
}

static int gatherClose(sqlite3_file *base) {
    GatherFile *file = (GatherFile *)base;
    int rc = flush(file);
    if (file->database != NULL) file->database->log = NULL;
    if (file->log != NULL) file->log->database = NULL;
    int closed = file->real->pMethods->xClose(file->real);
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int gatherRead(sqlite3_file *base, void *out, int amount, sqlite3_int64 offset) {
    GatherFile *file = (GatherFile *)base;
    int rc = flush(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xRead(file->real, out, amount, offset);
}

static int gatherWrite(sqlite3_file *base, const void *bytes, int amount, sqlite3_int64 offset) {
    GatherFile *file = (GatherFile *)base;
    if (!file->isLog || amount > GATHER_CAPACITY) {
        int rc = flush(file);
        return rc != SQLITE_OK ? rc : writeThrough(file, bytes, amount, offset);
    }
    if (file->buffer == NULL && (file->buffer = sqlite3_malloc(GATHER_CAPACITY)) == NULL) {
        return writeThrough(file, bytes, amount, offset);
    }
    if (file->used > 0 && (offset != file->start + file->used || file->used + amount > GATHER_CAPACITY)) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->used == 0) file->start = offset;
    memcpy(file->buffer + file->used, bytes, (size_t)amount);
    file->used += amount;
    return SQLITE_OK;
}

// Every other call on a log sees its file whole: the gathered writes go first.
#define FLUSHED(file, call) \
    do { \
        int rc = flush(file); \
        if (rc != SQLITE_OK) return rc; \
        return call; \
    } while (0)

static int gatherTruncate(sqlite3_file *base, sqlite3_int64 size) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xTruncate(file->real, size));
}

static int gatherSync(sqlite3_file *base, int flags) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xSync(file->real, flags));
}

static int gatherFileSize(sqlite3_file *base, sqlite3_int64 *size) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xFileSize(file->real, size));
}

static int gatherLock(sqlite3_file *base, int level) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xLock(file->real, level));
}

static int gatherUnlock(sqlite3_file *base, int level) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xUnlock(file->real, level));
}

static int gatherCheckReservedLock(sqlite3_file *base, int *reserved) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xCheckReservedLock(file->real, reserved);
}

static int gatherFileControl(sqlite3_file *base, int op, void *argument) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xFileControl(file->real, op, argument));
}

static int gatherSectorSize(sqlite3_file *base) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xSectorSize(file->real);
}

static int gatherDeviceCharacteristics(sqlite3_file *base) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

// A commit becomes visible to other connections when the writer publishes the log's new
// length in shared memory, between two copies of its header, with a barrier; a
// connection reads the log only as far as that length. Whatever the sync setting (FULL
// syncs, and so flushes, before), the log's gathered writes reach the file before the
// barrier, and before any lock of shared memory changes.
static int flushLog(GatherFile *database) {
    return database->log != NULL ? flush(database->log) : SQLITE_OK;
}

static int gatherShmMap(sqlite3_file *base, int region, int size, int extend, void volatile **mapped) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xShmMap(file->real, region, size, extend, mapped);
}

static int gatherShmLock(sqlite3_file *base, int offset, int n, int flags) {
    GatherFile *file = (GatherFile *)base;
    int rc = flushLog(file);
    return rc != SQLITE_OK ? rc : file->real->pMethods->xShmLock(file->real, offset, n, flags);
}

static void gatherShmBarrier(sqlite3_file *base) {
    GatherFile *file = (GatherFile *)base;
    // A barrier cannot fail. With FULL, the log was synced, and so flushed, before; with
    // less, a failed flush leaves the log short, which readers report as an I/O error.
    (void)flushLog(file);
    file->real->pMethods->xShmBarrier(file->real);
}

static int gatherShmUnmap(sqlite3_file *base, int deleteFlag) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xShmUnmap(file->real, deleteFlag);
}

static int gatherFetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **pointer) {
    GatherFile *file = (GatherFile *)base;
    FLUSHED(file, file->real->pMethods->xFetch(file->real, offset, amount, pointer));
}

static int gatherUnfetch(sqlite3_file *base, sqlite3_int64 offset, void *pointer) {
    GatherFile *file = (GatherFile *)base;
    return file->real->pMethods->xUnfetch(file->real, offset, pointer);
}

static const sqlite3_io_methods gatherMethods = {
    3,
    gatherClose, gatherRead, gatherWrite, gatherTruncate, gatherSync, gatherFileSize,
    gatherLock, gatherUnlock, gatherCheckReservedLock, gatherFileControl, gatherSectorSize,
    gatherDeviceCharacteristics, gatherShmMap, gatherShmLock, gatherShmBarrier, gatherShmUnmap,
    gatherFetch, gatherUnfetch,
};

static int gatherOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *base, int flags, int *outFlags) {
    (void)vfs;
    GatherFile *file = (GatherFile *)base;
    memset(file, 0, sizeof(GatherFile));
    file->real = (sqlite3_file *)(file + 1);
    int rc = realVFS->xOpen(realVFS, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) return rc;  // base->pMethods stays NULL: SQLite does not close it
    if (file->real->pMethods->iVersion < 3) {
        // A VFS without memory-mapped reads and shared memory is not the one this was written for.
        file->real->pMethods->xClose(file->real);
        return SQLITE_CANTOPEN;
    }
    file->isLog = (flags & SQLITE_OPEN_WAL) != 0;
    file->name = name;
    if (file->isLog) {
        sqlite3_file *database = sqlite3_database_file_object(name);
        if (database != NULL && database->pMethods == &gatherMethods) {
            file->database = (GatherFile *)database;
            file->database->log = file;
        }
    }
    base->pMethods = &gatherMethods;
    return SQLITE_OK;
}

static int gatherDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    (void)vfs;
    return realVFS->xDelete(realVFS, name, syncDirectory);
}

static int gatherAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return realVFS->xAccess(realVFS, name, flags, result);
}

static int gatherFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVFS->xFullPathname(realVFS, name, size, out);
}

static void *gatherDlOpen(sqlite3_vfs *vfs, const char *name) { (void)vfs; return realVFS->xDlOpen(realVFS, name); }
static void gatherDlError(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; realVFS->xDlError(realVFS, size, out); }
static void (*gatherDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVFS->xDlSym(realVFS, handle, symbol);
}
static void gatherDlClose(sqlite3_vfs *vfs, void *handle) { (void)vfs; realVFS->xDlClose(realVFS, handle); }
static int gatherRandomness(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return realVFS->xRandomness(realVFS, size, out); }
static int gatherSleep(sqlite3_vfs *vfs, int microseconds) { (void)vfs; return realVFS->xSleep(realVFS, microseconds); }
static int gatherCurrentTime(sqlite3_vfs *vfs, double *now) { (void)vfs; return realVFS->xCurrentTime(realVFS, now); }
static int gatherGetLastError(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return realVFS->xGetLastError(realVFS, size, out); }
static int gatherCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return realVFS->xCurrentTimeInt64(realVFS, now);
}

static sqlite3_vfs gatherVFS;
static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int registration = SQLITE_OK;

static void registerGatheringVFS(void) {
    realVFS = sqlite3_vfs_find(NULL);
    if (realVFS == NULL || realVFS->iVersion < 2) {
        registration = SQLITE_ERROR;
        return;
    }
    gatherVFS = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(GatherFile) + realVFS->szOsFile,
        .mxPathname = realVFS->mxPathname,
        .zName = teams_sqlite_wal_gather_vfs_name,
        .xOpen = gatherOpen,
        .xDelete = gatherDelete,
        .xAccess = gatherAccess,
        .xFullPathname = gatherFullPathname,
        .xDlOpen = gatherDlOpen,
        .xDlError = gatherDlError,
        .xDlSym = gatherDlSym,
        .xDlClose = gatherDlClose,
        .xRandomness = gatherRandomness,
        .xSleep = gatherSleep,
        .xCurrentTime = gatherCurrentTime,
        .xGetLastError = gatherGetLastError,
        .xCurrentTimeInt64 = gatherCurrentTimeInt64,
    };
    registration = sqlite3_vfs_register(&gatherVFS, 1);
}

int teams_sqlite_gather_wal_writes(void) {
    pthread_once(&registered, registerGatheringVFS);
    return registration;
}
