//! Incidents in PostgreSQL: every state change is a conditional update, so when several
//! instances race to start, resolve or expire the same chaos, exactly one of them does it.

use tokio_postgres::{Client, GenericClient, Row};
use uuid::Uuid;

use super::{bad_row, classify};
use crate::domain::incident::Stats;
use crate::domain::{ChaosMode, FixCode, Incident, IncidentState, ResolvedBy, TimelineEvent, VendorId, Voided};
use crate::store::{OpenIncident, Recorded, StoreError, StoreResult, Transition, from_ms, kept_note, to_ms};

pub(super) const COLUMNS: &str = "id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, started_at, \
     first_failure_at, resolved_at, resolved_by, max_duration_secs, orders_affected, orders_failed, \
     orders_succeeded, lost_satoshi, wrong_fix_codes, fix_code, vendor_uid, drill, voided_at, voided_by, voided_reason";

fn from_row(r: &Row) -> StoreResult<(Incident, FixCode)> {
    let opt_time = |i: usize| r.get::<_, Option<i64>>(i).map(from_ms);
    let count = |i: usize| r.get::<_, i64>(i).max(0) as u64;
    let mut incident = Incident {
        id: Uuid::parse_str(r.get(0)).map_err(|_| bad_row("incident id"))?,
        vendor_id: VendorId::parse(r.get(1)).map_err(|_| bad_row("vendor id"))?,
        vendor_uid: r
            .get::<_, Option<&str>>(19)
            .map(|u| Uuid::parse_str(u).map_err(|_| bad_row("vendor uid")))
            .transpose()?,
        mode: ChaosMode::parse(r.get(2)).ok_or_else(|| bad_row("mode"))?,
        params: serde_json::from_str(r.get(3)).map_err(|_| bad_row("params"))?,
        state: IncidentState::parse(r.get(4)).ok_or_else(|| bad_row("state"))?,
        initiated_by: r.get(5),
        initiated_at: from_ms(r.get(6)),
        start_at: from_ms(r.get(7)),
        start_at_local: None,
        started_at: opt_time(8),
        first_failure_at: opt_time(9),
        resolved_at: opt_time(10),
        resolved_by: r.get::<_, Option<&str>>(11).and_then(ResolvedBy::parse),
        max_duration_secs: r
            .get::<_, Option<i64>>(12)
            .map(|s| u64::try_from(s).map_err(|_| bad_row("max_duration_secs")))
            .transpose()?,
        stats: Stats {
            orders_affected: count(13),
            orders_failed: count(14),
            orders_succeeded: count(15),
            lost_revenue: crate::domain::order::Order::bitcoin(r.get(16)),
            wrong_fix_codes: count(17),
            seconds_to_resolve: None,
            lost_revenue_usd: None,
        },
        timeline: Vec::new(),
        minutes: Vec::new(),
        voided: opt_time(21).map(|at| Voided {
            at,
            by: r.get::<_, Option<String>>(22).unwrap_or_default(),
            reason: r.get::<_, Option<String>>(23).unwrap_or_default(),
        }),
        drill: r.get(20),
    };
    incident.stats.seconds_to_resolve = incident.seconds_to_resolve();
    Ok((incident, FixCode::from_stored(r.get(18))))
}

/// The incidents of `rows`, leaving out (and logging) any row that does not read as one: one
/// damaged row must not keep the factory from starting or listing the others.
pub(super) fn good_incidents(rows: &[Row]) -> Vec<(Incident, FixCode)> {
    rows.iter()
        .filter_map(|r| match from_row(r) {
            Ok(found) => Some(found),
            // The id and what is wrong only: the row also holds the fix code.
            Err(e) => {
                let id = r.try_get::<_, String>(0).unwrap_or_default();
                log::error!("incident {id} skipped: its stored row is malformed ({e})");
                None
            }
        })
        .collect()
}

/// Puts `event` on incident `id`'s timeline, and records it as an event, in transaction `tx`.
pub(super) async fn insert_event(tx: &impl GenericClient, id: &str, event: &TimelineEvent) -> StoreResult<()> {
    insert_timeline(tx, id, event, false).await
}

/// The same; `halted` when the kill switch ended the incident.
pub(super) async fn insert_timeline(
    tx: &impl GenericClient,
    id: &str,
    event: &TimelineEvent,
    halted: bool,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO incident_events (incident_id, at, kind, detail) VALUES ($1, $2, $3, $4)",
        &[&id, &to_ms(event.at), &event.kind, &event.detail],
    )
    .await
    .map_err(classify)?;
    super::events::record_timeline(tx, id, event, halted).await
}

/// A timeline entry on its own: one transaction, as its event needs.
pub(super) async fn add_event(c: &mut Client, id: &str, event: &TimelineEvent) -> StoreResult<()> {
    let tx = c.transaction().await.map_err(classify)?;
    insert_event(&tx, id, event).await?;
    tx.commit().await.map_err(classify)
}

async fn timeline(c: &impl GenericClient, id: &str) -> StoreResult<Vec<TimelineEvent>> {
    let rows = c
        .query(
            "SELECT at, kind, detail FROM incident_events WHERE incident_id = $1 ORDER BY at, seq",
            &[&id],
        )
        .await
        .map_err(classify)?;
    Ok(rows
        .iter()
        .map(|r| TimelineEvent {
            at: from_ms(r.get(0)),
            kind: r.get(1),
            detail: r.get(2),
        })
        .collect())
}

pub(super) fn state_names(states: &[IncidentState]) -> Vec<&'static str> {
    states.iter().map(|s| s.as_str()).collect()
}

pub(super) async fn create(
    c: &mut Client,
    inc: &Incident,
    fix_code: &FixCode,
    own_request: bool,
) -> StoreResult<Recorded> {
    let tx = c.transaction().await.map_err(classify)?;
    // Chaos only for the vendor's current lifetime. The row lock makes a concurrent delete wait
    // for this transaction, and so end the chaos it creates; and it queues concurrent requests
    // for the same vendor (from any instance), so each sees what the one before it committed and
    // answers as a single instance would, instead of racing the one-open-chaos index.
    let uid = inc.vendor_uid.map(|u| u.to_string());
    let alive = tx
        .query_opt(
            "SELECT 1 FROM vendors WHERE id = $1 AND uid = $2 FOR UPDATE",
            &[&inc.vendor_id.as_str(), &uid],
        )
        .await
        .map_err(classify)?;
    if alive.is_none() {
        return Err(StoreError::NotFound(format!("vendor {} not found", inc.vendor_id)));
    }
    let mut replaced = None;
    if own_request {
        let now = inc.initiated_at;
        // Locked, so a start on another instance waits until this request has decided.
        let pending = tx
            .query_opt(
                "SELECT id, initiated_by FROM incidents WHERE vendor_id = $1 AND state = 'scheduled' AND start_at > $2 FOR UPDATE",
                &[&inc.vendor_id.as_str(), &to_ms(now)],
            )
            .await
            .map_err(classify)?;
        if let Some(row) = pending {
            let (old, by): (String, String) = (row.get(0), row.get(1));
            let old_id = Uuid::parse_str(&old).map_err(|_| bad_row("incident id"))?;
            if by != inc.initiated_by {
                insert_event(&tx, &old, &kept_note(inc)).await?;
                tx.commit().await.map_err(classify)?;
                return Ok(Recorded::Kept(old_id));
            }
            tx.execute("UPDATE incidents SET state = 'cancelled' WHERE id = $1", &[&old])
                .await
                .map_err(classify)?;
            let why = format!("replaced by a new request from {}", inc.initiated_by);
            insert_event(&tx, &old, &TimelineEvent::new(now, "cancelled", why)).await?;
            replaced = Some(old_id);
        }
    }
    let params = serde_json::to_string(&inc.params).expect("params serialize");
    tx.execute(
        "INSERT INTO incidents (id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, max_duration_secs, fix_code, vendor_uid, drill) \
         VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $7, $8, $9, $10, $11)",
        &[
            &inc.id.to_string(),
            &inc.vendor_id.as_str(),
            &inc.mode.as_str(),
            &params,
            &inc.initiated_by,
            &to_ms(inc.initiated_at),
            &to_ms(inc.start_at),
            &inc.max_duration_secs.map(|s| s as i64),
            &fix_code.expose(),
            &uid,
            &inc.drill,
        ],
    )
    .await
    .map_err(classify)?;
    for event in &inc.timeline {
        insert_event(&tx, &inc.id.to_string(), event).await?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(Recorded::New { replaced })
}

pub(super) async fn start(c: &mut Client, id: Uuid, detail: &str) -> StoreResult<bool> {
    let tx = c.transaction().await.map_err(classify)?;
    let id = id.to_string();
    // A concurrent start waits on the row lock, then sees `active` and matches nothing.
    let started = tx
        .query_opt(
            "UPDATE incidents SET state = 'active', started_at = start_at WHERE id = $1 AND state = 'scheduled' RETURNING start_at",
            &[&id],
        )
        .await
        .map_err(classify)?;
    let Some(row) = started else { return Ok(false) };
    insert_event(&tx, &id, &TimelineEvent::new(from_ms(row.get(0)), "started", detail)).await?;
    tx.commit().await.map_err(classify)?;
    Ok(true)
}

pub(super) async fn transition(c: &mut Client, id: Uuid, change: &Transition) -> StoreResult<bool> {
    let tx = c.transaction().await.map_err(classify)?;
    let id = id.to_string();
    let ends = matches!(change.to, IncidentState::Resolved | IncidentState::Expired);
    let n = tx
        .execute(
            "UPDATE incidents SET state = $2, resolved_at = CASE WHEN $3 THEN $4 ELSE resolved_at END, resolved_by = $5 \
             WHERE id = $1 AND state = ANY($6)",
            &[
                &id,
                &change.to.as_str(),
                &ends,
                &to_ms(change.at),
                &change.resolved_by.map(|b| b.as_str()),
                &state_names(&change.from),
            ],
        )
        .await
        .map_err(classify)?;
    if n == 1 {
        insert_timeline(&tx, &id, &change.event, change.halted).await?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(n == 1)
}

pub(super) async fn open(c: &impl GenericClient) -> StoreResult<Vec<OpenIncident>> {
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM incidents WHERE state IN ('scheduled', 'active')"),
            &[],
        )
        .await
        .map_err(classify)?;
    Ok(good_incidents(&rows)
        .into_iter()
        .map(|(incident, fix_code)| OpenIncident { incident, fix_code })
        .collect())
}

/// The scheduled or active chaos of one vendor, if any (at most one: a unique index says so).
pub(super) async fn open_of(c: &impl GenericClient, vendor: &VendorId) -> StoreResult<Option<OpenIncident>> {
    let rows = c
        .query(
            &format!("SELECT {COLUMNS} FROM incidents WHERE vendor_id = $1 AND state IN ('scheduled', 'active')"),
            &[&vendor.as_str()],
        )
        .await
        .map_err(classify)?;
    Ok(good_incidents(&rows)
        .into_iter()
        .next()
        .map(|(incident, fix_code)| OpenIncident { incident, fix_code }))
}

pub(super) async fn one(c: &impl GenericClient, id: Uuid) -> StoreResult<Option<Incident>> {
    let id = id.to_string();
    let row = c
        .query_opt(&format!("SELECT {COLUMNS} FROM incidents WHERE id = $1"), &[&id])
        .await
        .map_err(classify)?;
    let Some(row) = row else { return Ok(None) };
    let (mut incident, _) = from_row(&row)?;
    incident.timeline = timeline(c, &id).await?;
    incident.minutes = super::minutes::of(c, std::slice::from_ref(&id))
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some(incident))
}
