//! Rows to domain types and back, shared by the SQLite store's queries.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Params, Row, Statement, params};
use uuid::Uuid;

use super::super::{from_ms, to_ms};
use crate::domain::incident::Stats;
use crate::domain::vendor::{Role, normalize_roles};
use crate::domain::{ChaosMode, FixCode, Incident, IncidentState, ResolvedBy, TimelineEvent, Vendor, VendorId, Voided};

pub(super) fn bad_column(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, format!("bad {what}").into())
}

pub(super) fn vendor_from_row(r: &Row<'_>) -> rusqlite::Result<Vendor> {
    let id: String = r.get(0)?;
    let roles: String = r.get(5)?;
    let roles: Vec<Role> = roles.split(',').filter_map(Role::parse).collect();
    Ok(Vendor {
        id: VendorId::parse(&id).map_err(|_| bad_column(0, "vendor id"))?,
        name: r.get(1)?,
        email: r.get(2)?,
        website: r.get(3)?,
        git_hub_url: r.get(4)?,
        roles: normalize_roles(&roles),
        created: from_ms(r.get(6)?),
        uid: uuid_column(r, 7)?.ok_or_else(|| bad_column(7, "vendor uid"))?,
    })
}

pub(super) fn uuid_column(r: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Uuid>> {
    r.get::<_, Option<String>>(idx)?
        .map(|s| Uuid::parse_str(&s).map_err(|_| bad_column(idx, "uuid")))
        .transpose()
}

pub(super) fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub(super) const INCIDENT_COLUMNS: &str = "id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, started_at, \
     first_failure_at, resolved_at, resolved_by, max_duration_secs, orders_affected, orders_failed, \
     orders_succeeded, lost_satoshi, wrong_fix_codes, fix_code, vendor_uid, drill, voided_at, voided_by, voided_reason";

pub(super) fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<(Incident, FixCode)> {
    let id: String = r.get(0)?;
    let vendor: String = r.get(1)?;
    let mode: String = r.get(2)?;
    let params: String = r.get(3)?;
    let state: String = r.get(4)?;
    let resolved_by: Option<String> = r.get(11)?;
    let opt_time =
        |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> { Ok(r.get::<_, Option<i64>>(i)?.map(from_ms)) };
    let mut incident = Incident {
        id: Uuid::parse_str(&id).map_err(|_| bad_column(0, "incident id"))?,
        vendor_id: VendorId::parse(&vendor).map_err(|_| bad_column(1, "vendor id"))?,
        vendor_uid: uuid_column(r, 19)?,
        mode: ChaosMode::parse(&mode).ok_or_else(|| bad_column(2, "mode"))?,
        params: serde_json::from_str(&params).map_err(|_| bad_column(3, "params"))?,
        state: IncidentState::parse(&state).ok_or_else(|| bad_column(4, "state"))?,
        initiated_by: r.get(5)?,
        initiated_at: from_ms(r.get(6)?),
        start_at: from_ms(r.get(7)?),
        start_at_local: None,
        started_at: opt_time(8)?,
        first_failure_at: opt_time(9)?,
        resolved_at: opt_time(10)?,
        resolved_by: resolved_by.as_deref().and_then(ResolvedBy::parse),
        max_duration_secs: r
            .get::<_, Option<i64>>(12)?
            .map(|s| u64::try_from(s).map_err(|_| bad_column(12, "max_duration_secs")))
            .transpose()?,
        stats: Stats {
            orders_affected: r.get::<_, i64>(13)? as u64,
            orders_failed: r.get::<_, i64>(14)? as u64,
            orders_succeeded: r.get::<_, i64>(15)? as u64,
            lost_revenue: crate::domain::order::Order::bitcoin(r.get(16)?),
            wrong_fix_codes: r.get::<_, i64>(17)? as u64,
            seconds_to_resolve: None,
            lost_revenue_usd: None,
        },
        timeline: Vec::new(),
        minutes: Vec::new(),
        voided: match opt_time(21)? {
            Some(at) => Some(Voided {
                at,
                by: r.get::<_, Option<String>>(22)?.unwrap_or_default(),
                reason: r.get::<_, Option<String>>(23)?.unwrap_or_default(),
            }),
            None => None,
        },
        drill: r.get(20)?,
    };
    incident.stats.seconds_to_resolve = incident.seconds_to_resolve();
    Ok((incident, FixCode::from_stored(r.get(18)?)))
}

/// The incidents a query finds, leaving out (and logging) any row that does not read as one:
/// one damaged row must not keep the factory from starting or listing the others.
pub(super) fn good_incidents(
    stmt: &mut Statement<'_>,
    params: impl Params,
) -> rusqlite::Result<Vec<(Incident, FixCode)>> {
    let mut rows = stmt.query(params)?;
    let mut good = Vec::new();
    while let Some(r) = rows.next()? {
        match incident_from_row(r) {
            Ok(found) => good.push(found),
            // The id and what is wrong only: the row also holds the fix code.
            Err(e) => log::error!(
                "incident {} skipped: its stored row is malformed ({e})",
                r.get::<_, String>(0).unwrap_or_default()
            ),
        }
    }
    Ok(good)
}

pub(super) fn timeline(conn: &Connection, id: &str) -> rusqlite::Result<Vec<TimelineEvent>> {
    let mut stmt =
        conn.prepare_cached("SELECT at, kind, detail FROM incident_events WHERE incident_id = ?1 ORDER BY at, seq")?;
    let rows = stmt.query_map([id], |r| {
        Ok(TimelineEvent {
            at: from_ms(r.get(0)?),
            kind: r.get(1)?,
            detail: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// Puts `event` on incident `id`'s timeline, and records it as an event, in `conn`'s transaction.
pub(super) fn insert_event(conn: &Connection, id: &str, event: &TimelineEvent) -> rusqlite::Result<()> {
    insert_timeline(conn, id, event, false)
}

/// The same; `halted` when the kill switch ended the incident.
pub(super) fn insert_timeline(
    conn: &Connection,
    id: &str,
    event: &TimelineEvent,
    halted: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO incident_events (incident_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![id, to_ms(event.at), event.kind, event.detail],
    )?;
    super::events::record_timeline(conn, id, event, halted)
}

pub(super) fn states_sql(states: &[IncidentState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}
