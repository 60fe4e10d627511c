//! Events in the SQLite store: `record` is the one way a change writes its event, inside the
//! change's own transaction, with the webhook deliveries of the event.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::rows::bad_column;
use super::webhooks::enqueue_deliveries;
use crate::domain::webhook::HookEvent;
use crate::domain::{Event, NewEvent, TimelineEvent};
use crate::store::{from_ms, to_ms};

/// Writes `event` in the transaction `tx` is part of. SQLite has one writer at a time, so the
/// seq AUTOINCREMENT gives is also the order of commits: a reader never finds a gap filled later.
/// Its deliveries are written in the same transaction, so a crash keeps both or neither.
pub(super) fn record(tx: &Connection, event: &NewEvent) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO events (type, at, vendor_id, incident_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![
            event.kind,
            to_ms(event.at),
            event.vendor_id,
            event.incident_id.map(|id| id.to_string()),
            event.detail.to_string()
        ])?;
    let seq = tx.last_insert_rowid();
    enqueue_deliveries(tx, &HookEvent::numbered(seq, event))?;
    Ok(())
}

/// The event of a timeline entry just written for incident `id`; its vendor and mode are read
/// from the incident row (in the same transaction, so it is there).
pub(super) fn record_timeline(tx: &Connection, id: &str, entry: &TimelineEvent, halted: bool) -> rusqlite::Result<()> {
    let found: Option<(String, String)> = tx
        .prepare_cached("SELECT vendor_id, mode FROM incidents WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((vendor, mode)) = found else {
        // A timeline row of no incident: nothing that happened to tell of.
        return Ok(());
    };
    let incident = Uuid::parse_str(id).map_err(|_| bad_column(0, "incident id"))?;
    record(tx, &NewEvent::chaos(&vendor, incident, &mode, entry, halted))
}

pub(super) fn list(c: &mut Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, type, at, vendor_id, incident_id, detail FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit as i64], |r| {
        let incident: Option<String> = r.get(4)?;
        let detail: String = r.get(5)?;
        Ok(Event {
            seq: r.get(0)?,
            event: NewEvent {
                kind: r.get(1)?,
                at: from_ms(r.get(2)?),
                vendor_id: r.get(3)?,
                incident_id: incident
                    .map(|i| Uuid::parse_str(&i).map_err(|_| bad_column(4, "incident id")))
                    .transpose()?,
                detail: serde_json::from_str(&detail).map_err(|_| bad_column(5, "event detail"))?,
            },
        })
    })?;
    rows.collect()
}
