//! An instructor's controls in the SQLite store: moving a scheduled chaos, voiding an incident,
//! the chaos pause. Each change is conditional, with its timeline event in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::rows::insert_event;
use crate::domain::{Pause, TimelineEvent, Voided};
use crate::store::{from_ms, to_ms};

pub(super) fn reschedule(
    c: &mut Connection,
    id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    event: &TimelineEvent,
) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let id = id.to_string();
    let n = tx.execute(
        "UPDATE incidents SET start_at = ?3 WHERE id = ?1 AND state = 'scheduled' AND start_at = ?2",
        params![id, to_ms(from), to_ms(to)],
    )?;
    if n == 1 {
        insert_event(&tx, &id, event)?;
    }
    tx.commit()?;
    Ok(n == 1)
}

pub(super) fn void(c: &mut Connection, id: Uuid, voided: &Voided, event: &TimelineEvent) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let id = id.to_string();
    let n = tx.execute(
        "UPDATE incidents SET voided_at = ?2, voided_by = ?3, voided_reason = ?4 \
         WHERE id = ?1 AND voided_at IS NULL AND state NOT IN ('scheduled', 'active')",
        params![id, to_ms(voided.at), voided.by, voided.reason],
    )?;
    if n == 1 {
        insert_event(&tx, &id, event)?;
    }
    tx.commit()?;
    Ok(n == 1)
}

pub(super) fn pause(c: &mut Connection) -> rusqlite::Result<Option<Pause>> {
    c.query_row(
        "SELECT until, reason, paused_by, paused_at FROM chaos_pause WHERE id = 1",
        [],
        |r| {
            Ok(Pause {
                until: from_ms(r.get(0)?),
                reason: r.get(1)?,
                by: r.get(2)?,
                at: from_ms(r.get(3)?),
            })
        },
    )
    .optional()
}

pub(super) fn set_pause(c: &mut Connection, pause: Option<&Pause>) -> rusqlite::Result<()> {
    match pause {
        None => c.execute("DELETE FROM chaos_pause", []).map(drop),
        Some(p) => c
            .execute(
                "INSERT INTO chaos_pause (id, until, reason, paused_by, paused_at) VALUES (1, ?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO UPDATE SET until = excluded.until, reason = excluded.reason, \
                 paused_by = excluded.paused_by, paused_at = excluded.paused_at",
                params![to_ms(p.until), p.reason, p.by, to_ms(p.at)],
            )
            .map(drop),
    }
}
