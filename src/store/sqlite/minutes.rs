//! Orders per minute of incidents in SQLite: each flush adds to the row of its minute and status.

use rusqlite::{Connection, params};

use crate::domain::minute::minutes;
use crate::domain::{Minute, MinuteCount};
use crate::store::{from_ms, saturating_upsert_sql, stored_count, to_ms};

/// Adds the counts of one delta to the incident's stored ones.
pub(super) fn add(tx: &Connection, incident: &str, counts: &[MinuteCount]) -> rusqlite::Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO incident_minutes (incident_id, at, status, served, failed) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (incident_id, at, status) DO UPDATE SET {}, {}",
        saturating_upsert_sql("incident_minutes", "served"),
        saturating_upsert_sql("incident_minutes", "failed"),
    ))?;
    for c in counts {
        stmt.execute(params![
            incident,
            to_ms(c.at),
            c.status,
            stored_count(c.served),
            stored_count(c.failed)
        ])?;
    }
    Ok(())
}

/// The incident's minutes, sorted by `at`.
pub(super) fn of(c: &Connection, incident: &str) -> rusqlite::Result<Vec<Minute>> {
    let mut stmt =
        c.prepare_cached("SELECT at, status, served, failed FROM incident_minutes WHERE incident_id = ?1")?;
    let rows = stmt.query_map([incident], |r| {
        Ok(MinuteCount {
            at: from_ms(r.get(0)?),
            status: r.get(1)?,
            served: r.get::<_, i64>(2)?.max(0) as u64,
            failed: r.get::<_, i64>(3)?.max(0) as u64,
        })
    })?;
    Ok(minutes(rows.collect::<rusqlite::Result<Vec<_>>>()?))
}
