//! Opening the SQLite file: created owner-only, WAL and full fsync, migrations applied.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::{SqliteStore, unavailable};
use crate::private_files;
use crate::store::StoreResult;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../../migrations/sqlite/0002_lost_satoshi.sql")),
    (3, include_str!("../../../migrations/sqlite/0003_vendor_lifetime.sql")),
    (4, include_str!("../../../migrations/sqlite/0004_key_signs_from.sql")),
    (5, include_str!("../../../migrations/sqlite/0005_class_controls.sql")),
    (6, include_str!("../../../migrations/sqlite/0006_incident_minutes.sql")),
    (7, include_str!("../../../migrations/sqlite/0007_admin_sessions.sql")),
    (8, include_str!("../../../migrations/sqlite/0008_events.sql")),
    (9, include_str!("../../../migrations/sqlite/0009_webhooks.sql")),
    (10, include_str!("../../../migrations/sqlite/0010_calendar.sql")),
    (11, include_str!("../../../migrations/sqlite/0011_cluster_counts.sql")),
];

/// Creates the database file owner-only before SQLite opens it, so it is never readable by others.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent() {
            private_files::create_dir(dir).map_err(unavailable)?;
        }
        create_private(path).map_err(unavailable)?;
        // SQLite gives the -wal and -shm files the database file's own mode.
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            private_files::private_file(Path::new(&file)).map_err(unavailable)?;
        }
        let mut conn = Connection::open(path).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(unavailable)?;
        // FULL: a commit is on disk before the API acknowledges it.
        conn.pragma_update(None, "synchronous", "FULL").map_err(unavailable)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(unavailable)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        migrate(&mut conn).map_err(unavailable)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            calls: Arc::default(),
        })
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction()?;
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, datetime('now'))",
                [version],
            )?;
            log::info!("applied store migration {version}");
        }
        tx.commit()?;
    }
    Ok(())
}
