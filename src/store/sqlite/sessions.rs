//! Console sessions in the SQLite store: the hash of each id, its admin, and when it was last used.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::{KeyHash, VendorId};
use crate::store::{AdminSession, to_ms};

pub(super) fn create(c: &mut Connection, s: &AdminSession) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO admin_sessions (id_hash, vendor_id, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
        params![s.id.to_hex(), s.vendor.as_str(), to_ms(s.at)],
    )
    .map(drop)
}

pub(super) fn touch(
    c: &mut Connection,
    id: KeyHash,
    now: DateTime<Utc>,
    idle: Duration,
) -> rusqlite::Result<Option<VendorId>> {
    let tx = c.transaction()?;
    // Idle sessions go first, so an expired one is never touched back to life.
    tx.execute("DELETE FROM admin_sessions WHERE last_seen <= ?1", [to_ms(now - idle)])?;
    let vendor: Option<String> = tx
        .query_row(
            "UPDATE admin_sessions SET last_seen = MAX(last_seen, ?2) WHERE id_hash = ?1 RETURNING vendor_id",
            params![id.to_hex(), to_ms(now)],
            |r| r.get(0),
        )
        .optional()?;
    tx.commit()?;
    Ok(vendor.and_then(|v| VendorId::parse(&v).ok()))
}

pub(super) fn end(c: &mut Connection, id: KeyHash) -> rusqlite::Result<()> {
    c.execute("DELETE FROM admin_sessions WHERE id_hash = ?1", [id.to_hex()])
        .map(drop)
}
