//! Deleting a vendor in SQLite: the vendor row and the end of its open incidents commit together.

use rusqlite::{Connection, ToSql};
use uuid::Uuid;

use super::rows::{bad_column, insert_event};
use crate::domain::incident::started_detail;
use crate::domain::{ChaosMode, IncidentState, NewEvent, TimelineEvent, VendorId};
use crate::store::{EndedIncident, VendorEnding, from_ms, to_ms};

/// Runs an incident update with `RETURNING id, start_at, mode` and puts `event` (or, with
/// `None`, the mode's start) on the timeline of each incident it changed.
fn update_each(
    tx: &Connection,
    sql: &str,
    args: &[&dyn ToSql],
    event: Option<&TimelineEvent>,
) -> rusqlite::Result<Vec<(Uuid, i64)>> {
    let mut stmt = tx.prepare(sql)?;
    let rows: Vec<(String, i64, String)> = stmt
        .query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut changed = Vec::with_capacity(rows.len());
    for (id, start_at, mode) in rows {
        let event = match event {
            Some(e) => e.clone(),
            None => {
                let mode = ChaosMode::parse(&mode).ok_or_else(|| bad_column(2, "mode"))?;
                TimelineEvent::new(from_ms(start_at), "started", started_detail(mode))
            }
        };
        insert_event(tx, &id, &event)?;
        changed.push((
            Uuid::parse_str(&id).map_err(|_| bad_column(0, "incident id"))?,
            start_at,
        ));
    }
    Ok(changed)
}

/// Deletes the vendor and ends every open incident filed under its id, whatever lifetime or
/// instance made it; `None` if there was no such vendor.
pub(super) fn delete_vendor(
    c: &mut Connection,
    vendor: &VendorId,
    ending: &VendorEnding,
) -> rusqlite::Result<Option<Vec<EndedIncident>>> {
    let tx = c.transaction()?;
    if tx.execute("DELETE FROM vendors WHERE id = ?1", [vendor.as_str()])? == 0 {
        return Ok(None);
    }
    // A scheduled chaos whose start has come has been biting: it starts, then ends below.
    update_each(
        &tx,
        "UPDATE incidents SET state = 'active', started_at = start_at \
         WHERE vendor_id = ?1 AND state = 'scheduled' AND start_at <= ?2 RETURNING id, start_at, mode",
        &[&vendor.as_str(), &to_ms(ending.at)],
        None,
    )?;
    let cancelled = update_each(
        &tx,
        "UPDATE incidents SET state = 'cancelled' WHERE vendor_id = ?1 AND state = 'scheduled' \
         RETURNING id, start_at, mode",
        &[&vendor.as_str()],
        Some(&ending.cancelled),
    )?;
    let resolved = update_each(
        &tx,
        "UPDATE incidents SET state = 'resolved', resolved_at = ?2, resolved_by = 'admin' \
         WHERE vendor_id = ?1 AND state = 'active' RETURNING id, start_at, mode",
        &[&vendor.as_str(), &to_ms(ending.at)],
        Some(&ending.resolved),
    )?;
    // After the endings it caused: a reader meets the incidents' ends, then the vendor's.
    super::events::record(&tx, &NewEvent::vendor_deleted(vendor, ending.at))?;
    tx.commit()?;
    let ended = |list: Vec<(Uuid, i64)>, state| {
        list.into_iter().map(move |(id, start)| EndedIncident {
            id,
            state,
            start_at: from_ms(start),
        })
    };
    Ok(Some(
        ended(cancelled, IncidentState::Cancelled)
            .chain(ended(resolved, IncidentState::Resolved))
            .collect(),
    ))
}
