import GRDB

/// The schema, as migrations. Never edit a shipped migration; add one.
///
/// Players live in a column of their team rather than in rows of their own: a team
/// is always read and written whole, is small (at most 100 players), and one row per
/// team keeps each change a single-row update next to its event row. The price is
/// that SQL cannot index or query players, which no use case needs. The column holds
/// a `PlayersBlob`; rows written before it hold JSON (`PlayersJSON`), which is read
/// until the team's next change rewrites the row, so no migration rewrites every row.
/// Likewise an idempotency key's `team` holds a `CreatedTeamBlob`, or the JSON of a key
/// claimed before, read until the key expires.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: teams, events outbox, idempotency keys") { db in
            try db.execute(sql: """
                CREATE TABLE teams (
                    id TEXT PRIMARY KEY NOT NULL,        -- xid, 20 characters
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,              -- lower-cased name: search and order
                    players TEXT NOT NULL,               -- JSON [{"name":..,"position":"GK"}]
                    version INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX teams_by_name_key ON teams(name_key, id);

                -- The outbox: one row per change, written in the change's transaction.
                -- AUTOINCREMENT never reuses a sequence, even after pruning.
                CREATE TABLE events (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    team_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    team_name TEXT,
                    player_name TEXT,
                    position TEXT,
                    occurred_at INTEGER NOT NULL         -- Unix milliseconds
                );
                CREATE INDEX events_by_time ON events(occurred_at);

                CREATE TABLE relay (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    delivered INTEGER NOT NULL
                );
                INSERT INTO relay (id, delivered) VALUES (1, 0);

                CREATE TABLE idempotency_keys (
                    key TEXT PRIMARY KEY NOT NULL,
                    team TEXT NOT NULL,                  -- JSON of the team as created
                    team_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: a trigram index of team names for search") { db in
            // FTS5 needs integer rowids and `teams` has none (WITHOUT ROWID), so
            // `team_search_rows` numbers the teams. The index is contentless: it keeps
            // trigrams only, and deleting a row names its old text, which that table holds.
            // Triggers keep both in step with `teams`, in the same transaction.
            try db.execute(sql: """
                CREATE TABLE team_search_rows (
                    row INTEGER PRIMARY KEY,
                    team_id TEXT NOT NULL UNIQUE,
                    name_key TEXT NOT NULL
                );
                CREATE VIRTUAL TABLE team_name_trigrams USING fts5(
                    name_key, content = '', tokenize = 'trigram case_sensitive 1'
                );

                CREATE TRIGGER teams_indexed_on_insert AFTER INSERT ON teams BEGIN
                    INSERT INTO team_search_rows (team_id, name_key) VALUES (NEW.id, NEW.name_key);
                    INSERT INTO team_name_trigrams (rowid, name_key)
                        SELECT row, name_key FROM team_search_rows WHERE team_id = NEW.id;
                END;
                CREATE TRIGGER teams_indexed_on_rename AFTER UPDATE OF name_key ON teams
                WHEN OLD.name_key IS NOT NEW.name_key BEGIN
                    INSERT INTO team_name_trigrams (team_name_trigrams, rowid, name_key)
                        SELECT 'delete', row, name_key FROM team_search_rows WHERE team_id = OLD.id;
                    UPDATE team_search_rows SET name_key = NEW.name_key WHERE team_id = OLD.id;
                    INSERT INTO team_name_trigrams (rowid, name_key)
                        SELECT row, name_key FROM team_search_rows WHERE team_id = OLD.id;
                END;
                CREATE TRIGGER teams_indexed_on_delete AFTER DELETE ON teams BEGIN
                    INSERT INTO team_name_trigrams (team_name_trigrams, rowid, name_key)
                        SELECT 'delete', row, name_key FROM team_search_rows WHERE team_id = OLD.id;
                    DELETE FROM team_search_rows WHERE team_id = OLD.id;
                END;

                INSERT INTO team_search_rows (team_id, name_key) SELECT id, name_key FROM teams;
                INSERT INTO team_name_trigrams (rowid, name_key) SELECT row, name_key FROM team_search_rows;
                """)
        }
        migrator.registerMigration("v3: ordered lists of name keys by their 2- and 3-character grams") { db in
            // Trigrams cannot index a term of 2 characters, and FTS5 returns its matches
            // in rowid order, so a common term's candidates must all be sorted. This
            // table lists each name key under every string of 2 and of 3 adjacent
            // characters in it (characters as SQLite counts them: code points), in search
            // order: a term's gram is then a range read from the cursor. A key that
            // several teams share is listed once and goes when its last team does.
            // Triggers cannot loop, hence the recursive query of the key's positions.
            func grams(_ key: String) -> String {
                """
                SELECT substr(\(key), position, size) AS gram FROM (
                    WITH RECURSIVE positions(position) AS (
                        SELECT 1 WHERE length(\(key)) >= 2
                        UNION ALL SELECT position + 1 FROM positions WHERE position < length(\(key)) - 1
                    ) SELECT position FROM positions
                ) JOIN (SELECT 2 AS size UNION ALL SELECT 3) ON position + size - 1 <= length(\(key))
                """
            }
            func list(_ key: String) -> String {
                "INSERT OR IGNORE INTO team_name_grams (gram, name_key) SELECT gram, \(key) FROM (\(grams(key)))"
            }
            func unlist(_ key: String) -> String {
                """
                DELETE FROM team_name_grams WHERE name_key = \(key) AND gram IN (\(grams(key)))
                    AND NOT EXISTS (SELECT 1 FROM teams WHERE name_key = \(key))
                """
            }
            try db.execute(sql: """
                CREATE TABLE team_name_grams (
                    gram TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    PRIMARY KEY (gram, name_key)
                ) WITHOUT ROWID;

                CREATE TRIGGER teams_gram_listed_on_insert AFTER INSERT ON teams BEGIN
                    \(list("NEW.name_key"));
                END;
                CREATE TRIGGER teams_gram_listed_on_rename AFTER UPDATE OF name_key ON teams
                WHEN OLD.name_key IS NOT NEW.name_key BEGIN
                    \(unlist("OLD.name_key"));
                    \(list("NEW.name_key"));
                END;
                CREATE TRIGGER teams_gram_listed_on_delete AFTER DELETE ON teams BEGIN
                    \(unlist("OLD.name_key"));
                END;

                -- In index order, so the table is written front to back.
                INSERT OR IGNORE INTO team_name_grams (gram, name_key)
                    SELECT substr(name_key, position, size) AS gram, name_key FROM teams JOIN (
                        WITH RECURSIVE positions(position) AS (
                            SELECT 1 UNION ALL SELECT position + 1 FROM positions
                            WHERE position < (SELECT max(length(name_key)) FROM teams) - 1
                        ) SELECT position FROM positions
                    ) JOIN (SELECT 2 AS size UNION ALL SELECT 3) ON position + size - 1 <= length(name_key)
                    ORDER BY gram, name_key;
                """)
        }
        migrator.registerMigration("v4: long name keys listed once, so a key's lists grow linearly with it") { db in
            // v3 lists a key under each of its grams, so a key of n code points costs about
            // 2n rows holding the whole key: quadratic. Now a key of at most
            // `gramListedKeyBytes` bytes is listed as before, and a longer one once, under
            // the empty gram, which every gram plan reads beside its own list.
            let limit = gramListedKeyBytes
            func bytes(_ key: String) -> String { "length(CAST(\(key) AS BLOB))" }
            func grams(_ key: String) -> String {
                """
                SELECT substr(\(key), position, size) AS gram FROM (
                    WITH RECURSIVE positions(position) AS (
                        SELECT 1 WHERE length(\(key)) >= 2 AND \(bytes(key)) <= \(limit)
                        UNION ALL SELECT position + 1 FROM positions WHERE position < length(\(key)) - 1
                    ) SELECT position FROM positions
                ) JOIN (SELECT 2 AS size UNION ALL SELECT 3) ON position + size - 1 <= length(\(key))
                """
            }
            func list(_ key: String) -> String {
                """
                INSERT OR IGNORE INTO team_name_grams (gram, name_key)
                    SELECT gram, \(key) FROM (\(grams(key))) UNION ALL SELECT '', \(key) WHERE \(bytes(key)) > \(limit)
                """
            }
            func unlist(_ key: String) -> String {
                """
                DELETE FROM team_name_grams WHERE name_key = \(key)
                    AND (gram IN (\(grams(key))) OR (gram = '' AND \(bytes(key)) > \(limit)))
                    AND NOT EXISTS (SELECT 1 FROM teams WHERE name_key = \(key))
                """
            }
            try db.execute(sql: """
                DROP TRIGGER teams_gram_listed_on_insert;
                DROP TRIGGER teams_gram_listed_on_rename;
                DROP TRIGGER teams_gram_listed_on_delete;

                CREATE TRIGGER teams_gram_listed_on_insert AFTER INSERT ON teams BEGIN
                    \(list("NEW.name_key"));
                END;
                CREATE TRIGGER teams_gram_listed_on_rename AFTER UPDATE OF name_key ON teams
                WHEN OLD.name_key IS NOT NEW.name_key BEGIN
                    \(unlist("OLD.name_key"));
                    \(list("NEW.name_key"));
                END;
                CREATE TRIGGER teams_gram_listed_on_delete AFTER DELETE ON teams BEGIN
                    \(unlist("OLD.name_key"));
                END;

                DELETE FROM team_name_grams WHERE \(bytes("name_key")) > \(limit);
                INSERT OR IGNORE INTO team_name_grams (gram, name_key)
                    SELECT DISTINCT '', name_key FROM teams WHERE \(bytes("name_key")) > \(limit) ORDER BY name_key;
                """)
        }
        migrator.registerMigration("v5: search from an index in memory; the search tables go") { db in
            // One server owns the file, so the search index lives in its memory
            // (`SearchIndex`, built from `teams` at start-up) and the writes no longer
            // keep trigram and gram tables, or the name key index, in step.
            try db.execute(sql: """
                DROP TRIGGER teams_indexed_on_insert;
                DROP TRIGGER teams_indexed_on_rename;
                DROP TRIGGER teams_indexed_on_delete;
                DROP TRIGGER teams_gram_listed_on_insert;
                DROP TRIGGER teams_gram_listed_on_rename;
                DROP TRIGGER teams_gram_listed_on_delete;
                DROP TABLE team_name_trigrams;
                DROP TABLE team_search_rows;
                DROP TABLE team_name_grams;
                DROP INDEX teams_by_name_key;
                """)
        }
        migrator.registerMigration("v6: events pruned in sequence order, without an index by time") { db in
            // Every change inserted into this index too, one more B-tree per write, for
            // an hourly prune. Events are in the order of their times (but for a clock set
            // back), so the prune walks them by sequence instead (`SQLiteTeamStore.prune`).
            try db.execute(sql: "DROP INDEX events_by_time")
        }
        return migrator
    }

    /// The longest name key, in bytes of UTF-8, listed under each of its grams (at most
    /// 93 rows of at most this many bytes); a longer one is listed once, under the empty gram.
    static let gramListedKeyBytes = 48
}
