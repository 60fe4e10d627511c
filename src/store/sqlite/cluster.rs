//! What holds across restarts in SQLite, as in PostgreSQL: how open incidents end (decided from
//! their stored state in one transaction), flaky orders numbered, and fix-code tries counted.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use uuid::Uuid;

use super::rows::{bad_column, insert_event, insert_timeline};
use crate::domain::incident::{EXPIRED_DETAIL, started_detail};
use crate::domain::{ChaosMode, IncidentState, TimelineEvent, VendorId};
use crate::limiter::{MAX_WRONG, wait_after, window_start};
use crate::store::{EndedIncident, StoreError, StoreResult, VendorEnding, from_ms, to_ms};

/// The incidents of the vendor `?1` (of all when NULL).
const SCOPE: &str = "(?1 IS NULL OR vendor_id = ?1)";
/// No pause set before `?2` holds at `?2`: a pause set at the very instant of a halt has not
/// held anything back yet.
const UNPAUSED: &str = "NOT EXISTS (SELECT 1 FROM chaos_pause WHERE until > ?2 AND paused_at < ?2)";
/// The end of an incident's maximum duration, as stored (the API caps it at 30 days).
const END: &str = "start_at + max_duration_secs * 1000";

/// Runs an incident update with `RETURNING id, start_at, x` and returns those rows.
fn update(tx: &Connection, sql: &str, args: &[&dyn ToSql]) -> rusqlite::Result<Vec<(String, i64, Option<String>)>> {
    let mut stmt = tx.prepare(sql)?;
    stmt.query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Ends the open incidents in scope, as `ending` says (see `VendorEnding`), inside the caller's
/// transaction.
pub(super) fn end_open(
    tx: &Connection,
    vendor: Option<&VendorId>,
    ending: &VendorEnding,
) -> rusqlite::Result<Vec<EndedIncident>> {
    let (vendor, at) = (vendor.map(|v| v.as_str()), to_ms(ending.at));
    let args: [&dyn ToSql; 2] = [&vendor, &at];
    // Due and not held back (or due and over anyway): it has been biting, so it starts first.
    let started = update(
        tx,
        &format!(
            "UPDATE incidents SET state = 'active', started_at = start_at WHERE {SCOPE} \
             AND state = 'scheduled' AND start_at <= ?2 AND ({UNPAUSED} OR {END} <= ?2) \
             RETURNING id, start_at, mode"
        ),
        &args,
    )?;
    for (id, start_at, mode) in started {
        let mode = ChaosMode::parse(mode.as_deref().unwrap_or_default()).ok_or_else(|| bad_column(2, "mode"))?;
        insert_event(
            tx,
            &id,
            &TimelineEvent::new(from_ms(start_at), "started", started_detail(mode)),
        )?;
    }
    let mut ended = Vec::new();
    let expired = update(
        tx,
        &format!(
            "UPDATE incidents SET state = 'expired', resolved_at = {END}, resolved_by = 'expiry' \
             WHERE {SCOPE} AND state = 'active' AND {END} <= ?2 RETURNING id, start_at, CAST(resolved_at AS TEXT)"
        ),
        &args,
    )?;
    for (id, start_at, end) in expired {
        let end = from_ms(end.and_then(|e| e.parse().ok()).ok_or_else(|| bad_column(2, "end"))?);
        insert_event(tx, &id, &TimelineEvent::new(end, "expired", EXPIRED_DETAIL))?;
        ended.push(ended_row(&id, start_at, IncidentState::Expired, end)?);
    }
    let mut steps = vec![(
        format!(
            "UPDATE incidents SET state = 'resolved', resolved_at = ?2, resolved_by = 'admin' \
             WHERE {SCOPE} AND state = 'active' RETURNING id, start_at, NULL"
        ),
        IncidentState::Resolved,
        &ending.resolved,
    )];
    if ending.cancel_scheduled {
        steps.push((
            format!(
                "UPDATE incidents SET state = 'cancelled' WHERE {SCOPE} AND state = 'scheduled' AND ?2 IS NOT NULL \
                 RETURNING id, start_at, NULL"
            ),
            IncidentState::Cancelled,
            &ending.cancelled,
        ));
    }
    for (sql, state, event) in steps {
        for (id, start_at, _) in update(tx, &sql, &args)? {
            insert_timeline(tx, &id, event, ending.halted)?;
            ended.push(ended_row(&id, start_at, state, ending.at)?);
        }
    }
    Ok(ended)
}

fn ended_row(id: &str, start_at: i64, state: IncidentState, at: DateTime<Utc>) -> rusqlite::Result<EndedIncident> {
    Ok(EndedIncident {
        id: Uuid::parse_str(id).map_err(|_| bad_column(0, "incident id"))?,
        state,
        start_at: from_ms(start_at),
        at,
    })
}

pub(super) fn end_incidents(
    c: &mut Connection,
    vendor: Option<&VendorId>,
    ending: &VendorEnding,
) -> rusqlite::Result<Vec<EndedIncident>> {
    let tx = c.transaction()?;
    let ended = end_open(&tx, vendor, ending)?;
    tx.commit()?;
    Ok(ended)
}

pub(super) fn next_order(c: &Connection, incident: Uuid) -> rusqlite::Result<StoreResult<u64>> {
    // Without the fsync of every other commit: the number survives a crash of the process, and
    // the next full commit makes it durable. An order under chaos need not wait on the disk.
    c.pragma_update(None, "synchronous", "NORMAL")?;
    let seq = c
        .query_row(
            "UPDATE incidents SET order_seq = order_seq + 1 WHERE id = ?1 RETURNING order_seq",
            [incident.to_string()],
            |r| r.get(0),
        )
        .optional();
    c.pragma_update(None, "synchronous", "FULL")?;
    Ok(seq?
        .map(|n: i64| n.max(0) as u64)
        .ok_or_else(|| StoreError::NotFound(format!("incident {incident} not found"))))
}

/// One transaction on the one connection: tries are counted one at a time, as in PostgreSQL.
pub(super) fn count_fix_code_try(
    c: &mut Connection,
    client: IpAddr,
    vendor: &VendorId,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<u64>> {
    let (client, vendor) = (client.to_string(), vendor.as_str());
    let tx = c.transaction()?;
    tx.execute("DELETE FROM fix_code_tries WHERE at <= ?1", [to_ms(window_start(now))])?;
    let recent: Vec<DateTime<Utc>> = tx
        .prepare("SELECT at FROM fix_code_tries WHERE client = ?1 AND vendor_id = ?2 ORDER BY at")?
        .query_map(params![client, vendor], |r| r.get::<_, i64>(0).map(from_ms))?
        .collect::<rusqlite::Result<_>>()?;
    let wait = wait_after(&recent, MAX_WRONG, now);
    if wait.is_none() {
        tx.execute(
            "INSERT INTO fix_code_tries (client, vendor_id, at) VALUES (?1, ?2, ?3)",
            params![client, vendor, to_ms(now)],
        )?;
    }
    tx.commit()?;
    Ok(wait)
}
