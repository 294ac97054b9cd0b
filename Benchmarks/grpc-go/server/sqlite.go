package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
	"google.golang.org/grpc/codes"
)

// sqliteStore keeps teams in SQLite (github.com/mattn/go-sqlite3, linked to the
// system libsqlite3) in WAL mode with synchronous=FULL, like SQLiteTeamStore.
//
// Reads go to a pool of connections, with no cache in front: every GetTeam reads
// the database. Writes go to a second pool of exactly one connection, each in its
// own transaction (BEGIN IMMEDIATE) and so its own fsync: there is no group commit.
//
// Tables: teams(id, name, name_key, players JSON, version), as in SQLiteSchema.swift,
// and idempotency_keys for CreateTeam's idempotency_key. There is no events outbox.
type sqliteStore struct {
	path   string
	read   *sql.DB
	write  *sql.DB
	lock   *os.File
	getRow *sql.Stmt
	first  *sql.Stmt
	next   *sql.Stmt
}

const schema = `
CREATE TABLE IF NOT EXISTS teams (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    players TEXT NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS teams_by_name_key ON teams(name_key, id);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY NOT NULL,
    team TEXT NOT NULL,
    team_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
`

func openSQLite(path string) (*sqliteStore, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create folder %s: %v", dir, err)
		}
	}
	// One server per database file, as SQLiteTeamStore's PATH.lock.
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s.lock: %v", path, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("%s is in use by another server (%s.lock is locked)", path, path)
	}
	dsn := func(extra string) string {
		return "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000" + extra
	}
	write, err := sql.Open("sqlite3", dsn("&_txlock=immediate"))
	if err != nil {
		lock.Close()
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if _, err := write.Exec(schema); err != nil {
		write.Close()
		lock.Close()
		return nil, fmt.Errorf("cannot set up %s: %v", path, err)
	}
	read, err := sql.Open("sqlite3", dsn(""))
	if err != nil {
		write.Close()
		lock.Close()
		return nil, err
	}
	readers := 2 * runtime.GOMAXPROCS(0)
	if readers < 4 {
		readers = 4
	}
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxLifetime(0)
	s := &sqliteStore{path: path, read: read, write: write, lock: lock}
	const columns = "SELECT id, name, name_key, players, version FROM teams "
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.getRow, columns + "WHERE id = ?"},
		{&s.first, columns + "WHERE instr(name_key, ?) > 0 ORDER BY name_key, id LIMIT ?"},
		{&s.next, columns + "WHERE instr(name_key, ?) > 0 AND (name_key > ? OR (name_key = ? AND id > ?)) ORDER BY name_key, id LIMIT ?"},
	} {
		if *p.stmt, err = read.Prepare(p.sql); err != nil {
			s.close()
			return nil, fmt.Errorf("cannot prepare a query on %s: %v", path, err)
		}
	}
	return s, nil
}

func (s *sqliteStore) describe() string { return "sqlite:" + s.path }

func (s *sqliteStore) close() error {
	for _, stmt := range []*sql.Stmt{s.getRow, s.first, s.next} {
		if stmt != nil {
			stmt.Close()
		}
	}
	s.read.Close()
	err := s.write.Close()
	s.lock.Close()
	return err
}

// The players column: [{"name":..,"position":"GK"}], as SQLiteTeamStore writes it.
type storedPlayer struct {
	Name     string `json:"name"`
	Position string `json:"position"`
}

// A team as stored in idempotency_keys.team.
type storedTeam struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Players []storedPlayer `json:"players"`
	Version uint64         `json:"version"`
}

func encodePlayers(players []player) string {
	stored := make([]storedPlayer, len(players))
	for i, p := range players {
		stored[i] = storedPlayer{Name: p.name, Position: positionCodes[p.position]}
	}
	data, _ := json.Marshal(stored)
	return string(data)
}

func decodePlayers(id, text string) ([]player, error) {
	var stored []storedPlayer
	if err := json.Unmarshal([]byte(text), &stored); err != nil {
		return nil, fail(codes.Internal, "store corrupt: team %s has unreadable players: %v", id, err)
	}
	players := make([]player, len(stored))
	for i, p := range stored {
		position, ok := positionFromCode(p.Position)
		if !ok {
			return nil, fail(codes.Internal, "store corrupt: team %s has a player with position %q", id, p.Position)
		}
		players[i] = player{name: p.Name, position: position}
	}
	return players, nil
}

type scanner interface{ Scan(...interface{}) error }

func scanTeam(row scanner) (*team, error) {
	var t team
	var players string
	var version int64
	if err := row.Scan(&t.id, &t.name, &t.nameKey, &players, &version); err != nil {
		return nil, err
	}
	if version < 1 {
		return nil, fail(codes.Internal, "store corrupt: team %s has version %d", t.id, version)
	}
	t.version = uint64(version)
	var err error
	if t.players, err = decodePlayers(t.id, players); err != nil {
		return nil, err
	}
	return &t, nil
}

// storeError maps SQLite's errors as SQLiteTeamStore does; use-case errors pass through.
func storeError(err error) error {
	var te *teamError
	if err == nil || errors.As(err, &te) {
		return err
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fail(codes.Unavailable, "store unavailable: the database is busy: %v", se)
		case sqlite3.ErrFull:
			return fail(codes.ResourceExhausted, "store full: %v", se)
		case sqlite3.ErrConstraint:
			if se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
				return errIDTaken
			}
		}
	}
	if errors.Is(err, context.Canceled) {
		return fail(codes.Canceled, "%v", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fail(codes.DeadlineExceeded, "%v", err)
	}
	return fail(codes.Internal, "store error: %v", err)
}

func (s *sqliteStore) get(ctx context.Context, id string) (*team, error) {
	t, err := scanTeam(s.getRow.QueryRowContext(ctx, id))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	return t, storeError(err)
}

func (s *sqliteStore) create(ctx context.Context, t *team, key string) (result *team, err error) {
	defer func() { err = storeError(err) }()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	now := time.Now()
	if key != "" {
		var snapshot, teamID string
		var at int64
		err := tx.QueryRowContext(ctx, "SELECT team, team_id, created_at FROM idempotency_keys WHERE key = ?", key).Scan(&snapshot, &teamID, &at)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, err
		case now.Sub(time.UnixMilli(at)) < idempotencyWindow:
			current, err := scanTeam(tx.QueryRowContext(ctx, "SELECT id, name, name_key, players, version FROM teams WHERE id = ?", teamID))
			if err == nil {
				return current, nil
			}
			if err != sql.ErrNoRows {
				return nil, err
			}
			var stored storedTeam
			if err := json.Unmarshal([]byte(snapshot), &stored); err != nil {
				return nil, fail(codes.Internal, "store corrupt: idempotency key %q: %v", key, err)
			}
			created := newTeam(stored.ID, stored.Name)
			created.version = stored.Version
			return created, nil
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO teams (id, name, name_key, players, version) VALUES (?, ?, ?, ?, ?)",
		t.id, t.name, t.nameKey, encodePlayers(t.players), int64(t.version)); err != nil {
		return nil, err
	}
	if key != "" {
		snapshot, _ := json.Marshal(storedTeam{ID: t.id, Name: t.name, Players: []storedPlayer{}, Version: t.version})
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO idempotency_keys (key, team, team_id, created_at) VALUES (?, ?, ?, ?)",
			key, string(snapshot), t.id, now.UnixMilli()); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *sqliteStore) modify(ctx context.Context, id string, expected uint64, change func(*team) error) (result *team, err error) {
	defer func() { err = storeError(err) }()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := scanTeam(tx.QueryRowContext(ctx, "SELECT id, name, name_key, players, version FROM teams WHERE id = ?", id))
	if err == sql.ErrNoRows {
		return nil, noTeam(id)
	}
	if err != nil {
		return nil, err
	}
	if expected != 0 && expected != t.version {
		return nil, versionMismatch(expected, t.version)
	}
	previous := t.version
	if err := change(t); err != nil {
		return nil, err
	}
	t.version++
	res, err := tx.ExecContext(ctx, "UPDATE teams SET name = ?, name_key = ?, players = ?, version = ? WHERE id = ? AND version = ?",
		t.name, t.nameKey, encodePlayers(t.players), int64(t.version), id, int64(previous))
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fail(codes.Internal, "store corrupt: team %s changed inside its own transaction", id)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *sqliteStore) delete(ctx context.Context, id string, expected uint64) (err error) {
	defer func() { err = storeError(err) }()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int64
	err = tx.QueryRowContext(ctx, "SELECT version FROM teams WHERE id = ?", id).Scan(&version)
	if err == sql.ErrNoRows {
		return noTeam(id)
	}
	if err != nil {
		return err
	}
	if expected != 0 && expected != uint64(version) {
		return versionMismatch(expected, uint64(version))
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM teams WHERE id = ? AND version = ?", id, version); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *sqliteStore) search(ctx context.Context, term string, limit int, after *cursor) (result []*team, err error) {
	defer func() { err = storeError(err) }()
	var rows *sql.Rows
	if after == nil {
		rows, err = s.first.QueryContext(ctx, term, limit+1)
	} else {
		rows, err = s.next.QueryContext(ctx, term, after.nameKey, after.nameKey, after.id, limit+1)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	teams := make([]*team, 0, limit+1)
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, err
		}
		teams = append(teams, t)
	}
	return teams, rows.Err()
}
