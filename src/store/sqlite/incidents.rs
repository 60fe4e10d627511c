//! Incident queries of the SQLite store: each state change is one transaction with its event.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::rows::{
    INCIDENT_COLUMNS, bad_column, good_incidents, incident_from_row, insert_event, insert_timeline, states_sql,
    timeline,
};
use crate::domain::{Incident, IncidentState, TimelineEvent};
use crate::store::{
    IncidentFilter, OpenIncident, Recorded, RejectedDelta, StatsDelta, StoreError, StoreResult, Transition, from_ms,
    kept_note, saturating_add_sql, stored_count, to_ms,
};

pub(super) fn create(
    c: &mut Connection,
    inc: &Incident,
    code: &str,
    own_request: bool,
) -> rusqlite::Result<StoreResult<Recorded>> {
    let tx = c.transaction()?;
    // Chaos only for the vendor's current lifetime: one deleted meanwhile gets none.
    let alive: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM vendors WHERE id = ?1 AND uid = ?2)",
        params![inc.vendor_id.as_str(), inc.vendor_uid.map(|u| u.to_string())],
        |r| r.get(0),
    )?;
    if !alive {
        return Ok(Err(StoreError::NotFound(format!("vendor {} not found", inc.vendor_id))));
    }
    let mut replaced = None;
    if own_request {
        let now = to_ms(inc.initiated_at);
        let pending: Option<(String, String)> = tx
            .query_row(
                "SELECT id, initiated_by FROM incidents WHERE vendor_id = ?1 AND state = 'scheduled' AND start_at > ?2",
                params![inc.vendor_id.as_str(), now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((old, by)) = pending {
            let old_id = Uuid::parse_str(&old).map_err(|_| bad_column(0, "incident id"))?;
            if by != inc.initiated_by {
                insert_event(&tx, &old, &kept_note(inc))?;
                tx.commit()?;
                return Ok(Ok(Recorded::Kept(old_id)));
            }
            tx.execute("UPDATE incidents SET state = 'cancelled' WHERE id = ?1", [&old])?;
            let detail = format!("replaced by a new request from {}", inc.initiated_by);
            insert_event(&tx, &old, &TimelineEvent::new(inc.initiated_at, "cancelled", detail))?;
            replaced = Some(old_id);
        }
    }
    tx.execute(
        "INSERT INTO incidents (id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, \
         max_duration_secs, fix_code, vendor_uid, drill) VALUES (?1, ?2, ?3, ?4, 'scheduled', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            inc.id.to_string(),
            inc.vendor_id.as_str(),
            inc.mode.as_str(),
            serde_json::to_string(&inc.params).expect("params serialize"),
            inc.initiated_by,
            to_ms(inc.initiated_at),
            to_ms(inc.start_at),
            inc.max_duration_secs.map(|s| s as i64),
            code,
            inc.vendor_uid.map(|u| u.to_string()),
            inc.drill,
        ],
    )?;
    for event in &inc.timeline {
        insert_event(&tx, &inc.id.to_string(), event)?;
    }
    tx.commit()?;
    Ok(Ok(Recorded::New { replaced }))
}

/// Scheduled → active, with `startedAt` the scheduled instant; false if it was not scheduled.
pub(super) fn start(c: &mut Connection, id: Uuid, detail: String) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let id = id.to_string();
    let start: Option<i64> = tx
        .query_row(
            "SELECT start_at FROM incidents WHERE id = ?1 AND state = 'scheduled'",
            [&id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(start) = start else { return Ok(false) };
    tx.execute(
        "UPDATE incidents SET state = 'active', started_at = start_at WHERE id = ?1",
        [&id],
    )?;
    insert_event(&tx, &id, &TimelineEvent::new(from_ms(start), "started", detail))?;
    tx.commit()?;
    Ok(true)
}

pub(super) fn transition(c: &mut Connection, id: Uuid, change: &Transition) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let id = id.to_string();
    let ends = matches!(change.to, IncidentState::Resolved | IncidentState::Expired);
    let n = tx.execute(
        &format!(
            "UPDATE incidents SET state = ?2, resolved_at = CASE WHEN ?3 THEN ?4 ELSE resolved_at END, \
             resolved_by = ?5 WHERE id = ?1 AND state IN ({})",
            states_sql(&change.from)
        ),
        params![
            id,
            change.to.as_str(),
            ends,
            to_ms(change.at),
            change.resolved_by.map(|b| b.as_str())
        ],
    )?;
    if n == 1 {
        insert_timeline(&tx, &id, &change.event, change.halted)?;
    }
    tx.commit()?;
    Ok(n == 1)
}

/// Adds counter deltas, each in a savepoint of one transaction: a delta its incident's row
/// refuses is rolled back alone and returned, the others are committed.
pub(super) fn add_stats(c: &mut Connection, deltas: &[StatsDelta]) -> rusqlite::Result<Vec<RejectedDelta>> {
    let mut tx = c.transaction()?;
    let mut rejected = Vec::new();
    for d in deltas {
        let sp = tx.savepoint()?;
        match add_delta(&sp, d) {
            Ok(()) => sp.commit()?,
            // Dropping the savepoint rolls it back.
            Err(e) => rejected.push(RejectedDelta {
                delta: d.clone(),
                reason: e.to_string(),
            }),
        }
    }
    tx.commit()?;
    Ok(rejected)
}

/// One delta; the earliest first failure wins and is put on the timeline once.
fn add_delta(tx: &Connection, d: &StatsDelta) -> rusqlite::Result<()> {
    let id = d.incident.to_string();
    if let Some(first) = d.first_failure_at {
        let had: Option<Option<i64>> = tx
            .query_row("SELECT first_failure_at FROM incidents WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(had) = had
            && had.is_none_or(|h| h > to_ms(first))
        {
            tx.execute(
                "UPDATE incidents SET first_failure_at = ?2 WHERE id = ?1",
                params![id, to_ms(first)],
            )?;
            if had.is_none() {
                let event = TimelineEvent::new(first, "first_failure", "first order denied a valid ticket");
                insert_event(tx, &id, &event)?;
            }
        }
    }
    let sql = format!(
        "UPDATE incidents SET {}, {}, {}, {}, {} WHERE id = ?1",
        saturating_add_sql("orders_affected", "?2"),
        saturating_add_sql("orders_failed", "?3"),
        saturating_add_sql("orders_succeeded", "?4"),
        saturating_add_sql("lost_satoshi", "?5"),
        saturating_add_sql("wrong_fix_codes", "?6"),
    );
    tx.execute(
        &sql,
        params![
            id,
            stored_count(d.affected),
            stored_count(d.failed),
            stored_count(d.succeeded),
            stored_count(d.lost_satoshi),
            stored_count(d.wrong_fix_codes)
        ],
    )?;
    super::minutes::add(tx, &id, &d.minutes)
}

pub(super) fn open(c: &mut Connection) -> rusqlite::Result<Vec<OpenIncident>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE state IN ('scheduled', 'active')"
    ))?;
    Ok(good_incidents(&mut stmt, [])?
        .into_iter()
        .map(|(incident, fix_code)| OpenIncident { incident, fix_code })
        .collect())
}

pub(super) fn one(c: &mut Connection, id: Uuid) -> rusqlite::Result<Option<Incident>> {
    let id = id.to_string();
    let found = c
        .query_row(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"),
            [&id],
            incident_from_row,
        )
        .optional()?;
    let Some((mut incident, _)) = found else {
        return Ok(None);
    };
    incident.timeline = timeline(c, &id)?;
    incident.minutes = super::minutes::of(c, &id)?;
    Ok(Some(incident))
}

/// Newest first; ties (the same millisecond) in insertion order, newest first too.
/// The WHERE clause of `filter`, with its arguments.
fn matching(filter: &IncidentFilter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE 1 = 1");
    if !filter.states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", states_sql(&filter.states)));
    }
    if !filter.include_voided {
        sql.push_str(" AND voided_at IS NULL AND drill = 0");
    }
    let mut args: Vec<String> = Vec::new();
    if let Some(v) = &filter.vendor {
        args.push(v.as_str().to_owned());
        sql.push_str(&format!(" AND vendor_id = ?{}", args.len()));
    }
    if let Some(uid) = filter.vendor_uid {
        args.push(uid.to_string());
        sql.push_str(&format!(" AND vendor_uid = ?{}", args.len()));
    }
    if let Some(mode) = filter.mode {
        args.push(mode.as_str().to_owned());
        sql.push_str(&format!(" AND mode = ?{}", args.len()));
    }
    if let Some((from, to)) = filter.started {
        // Numbers this code made, written in as LIMIT is: no text reaches the SQL.
        sql.push_str(&format!(
            " AND started_at >= {} AND started_at < {}",
            to_ms(from),
            to_ms(to)
        ));
    }
    (sql, args)
}

pub(super) fn list(c: &mut Connection, filter: &IncidentFilter) -> rusqlite::Result<Vec<Incident>> {
    let (matching, args) = matching(filter);
    let order = if filter.by_start {
        "start_at ASC, rowid ASC"
    } else {
        "initiated_at DESC, rowid DESC"
    };
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents{matching} ORDER BY {order} LIMIT {} OFFSET {}",
        filter.limit, filter.offset
    );
    let mut stmt = c.prepare(&sql)?;
    let found = good_incidents(&mut stmt, rusqlite::params_from_iter(args))?;
    if filter.summaries {
        return Ok(found.into_iter().map(|(incident, _)| incident).collect());
    }
    found
        .into_iter()
        .map(|(mut incident, _)| {
            let id = incident.id.to_string();
            incident.timeline = timeline(c, &id)?;
            incident.minutes = super::minutes::of(c, &id)?;
            Ok(incident)
        })
        .collect()
}

pub(super) fn count(c: &mut Connection, filter: &IncidentFilter) -> rusqlite::Result<u64> {
    let (matching, args) = matching(filter);
    let n: i64 = c.query_row(
        &format!("SELECT COUNT(*) FROM incidents{matching}"),
        rusqlite::params_from_iter(args),
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}
