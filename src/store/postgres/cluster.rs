//! What holds for the whole cluster in PostgreSQL: how open incidents end (decided from their
//! stored state in one transaction), flaky orders numbered, and fix-code tries counted.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient, SimpleQueryMessage};
use uuid::Uuid;

use super::incidents::{insert_event, insert_timeline};
use super::{bad_row, classify};
use crate::domain::incident::{EXPIRED_DETAIL, started_detail};
use crate::domain::{ChaosMode, IncidentState, TimelineEvent, VendorId};
use crate::limiter::{MAX_WRONG, wait_after, window_start};
use crate::store::{EndedIncident, StoreError, StoreResult, VendorEnding, from_ms, to_ms};

/// The incidents of the vendor `$1` (of all when NULL).
const SCOPE: &str = "($1::text IS NULL OR vendor_id = $1)";
/// No pause set before `$2` holds at `$2`: a pause set at the very instant of a halt has not
/// held anything back yet.
const UNPAUSED: &str = "NOT EXISTS (SELECT 1 FROM chaos_pause WHERE until > $2 AND paused_at < $2)";
/// The end of an incident's maximum duration, as stored (the API caps it at 30 days).
const END: &str = "start_at + max_duration_secs * 1000";

/// Ends the open incidents in scope, as `ending` says (see `VendorEnding`), inside the caller's
/// transaction; the row locks of the updates make a concurrent start, resolve or end wait.
pub(super) async fn end_open(
    tx: &impl GenericClient,
    vendor: Option<&VendorId>,
    ending: &VendorEnding,
) -> StoreResult<Vec<EndedIncident>> {
    let (vendor, at) = (vendor.map(|v| v.as_str()), to_ms(ending.at));
    // Every row this ending may change, locked first and in id order, the order counter
    // flushes take them in: a halt and the flushes of other instances never deadlock.
    tx.query(
        &format!("SELECT id FROM incidents WHERE {SCOPE} AND state IN ('scheduled', 'active') ORDER BY id COLLATE \"C\" FOR UPDATE"),
        &[&vendor],
    )
    .await
    .map_err(classify)?;
    // Due and not held back (or due and over anyway): it has been biting, so it starts first.
    let started = tx
        .query(
            &format!(
                "UPDATE incidents SET state = 'active', started_at = start_at WHERE {SCOPE} \
                 AND state = 'scheduled' AND start_at <= $2 AND ({UNPAUSED} OR {END} <= $2) \
                 RETURNING id, start_at, mode"
            ),
            &[&vendor, &at],
        )
        .await
        .map_err(classify)?;
    for row in &started {
        let mode = ChaosMode::parse(row.get(2)).ok_or_else(|| bad_row("mode"))?;
        let event = TimelineEvent::new(from_ms(row.get(1)), "started", started_detail(mode));
        insert_event(tx, row.get(0), &event).await?;
    }
    let mut ended = Vec::new();
    let expired = tx
        .query(
            &format!(
                "UPDATE incidents SET state = 'expired', resolved_at = {END}, resolved_by = 'expiry' \
                 WHERE {SCOPE} AND state = 'active' AND {END} <= $2 RETURNING id, start_at, resolved_at"
            ),
            &[&vendor, &at],
        )
        .await
        .map_err(classify)?;
    for row in expired {
        let end = from_ms(row.get(2));
        insert_event(tx, row.get(0), &TimelineEvent::new(end, "expired", EXPIRED_DETAIL)).await?;
        ended.push(ended_row(row.get(0), row.get(1), IncidentState::Expired, end)?);
    }
    let cancel = format!(
        "UPDATE incidents SET state = 'cancelled' WHERE {SCOPE} AND state = 'scheduled' AND $2::bigint IS NOT NULL \
         RETURNING id, start_at"
    );
    let resolve = format!(
        "UPDATE incidents SET state = 'resolved', resolved_at = $2, resolved_by = 'admin' \
         WHERE {SCOPE} AND state = 'active' RETURNING id, start_at"
    );
    let mut steps = vec![(resolve, IncidentState::Resolved, &ending.resolved)];
    if ending.cancel_scheduled {
        steps.push((cancel, IncidentState::Cancelled, &ending.cancelled));
    }
    for (sql, state, event) in steps {
        for row in tx.query(&sql, &[&vendor, &at]).await.map_err(classify)? {
            insert_timeline(tx, row.get(0), event, ending.halted).await?;
            ended.push(ended_row(row.get(0), row.get(1), state, ending.at)?);
        }
    }
    Ok(ended)
}

fn ended_row(id: &str, start_at: i64, state: IncidentState, at: DateTime<Utc>) -> StoreResult<EndedIncident> {
    Ok(EndedIncident {
        id: Uuid::parse_str(id).map_err(|_| bad_row("incident id"))?,
        state,
        start_at: from_ms(start_at),
        at,
    })
}

pub(super) async fn end_incidents(
    c: &mut Client,
    vendor: Option<&VendorId>,
    ending: &VendorEnding,
) -> StoreResult<Vec<EndedIncident>> {
    let tx = c.transaction().await.map_err(classify)?;
    let ended = end_open(&tx, vendor, ending).await?;
    tx.commit().await.map_err(classify)?;
    Ok(ended)
}

pub(super) async fn next_order(c: &Client, incident: Uuid) -> StoreResult<u64> {
    // One round trip: the row lock numbers concurrent orders from every instance one by one,
    // and without waiting for the commit's flush to disk, the lock is held for microseconds
    // instead of a disk write. Only a crash of the database server itself may lose the last
    // numbers given (a few orders then numbered twice), never a crash of an instance. The id
    // is a formatted Uuid, so it is safe in the simple (unparameterised) protocol.
    let numbered = c
        .simple_query(&format!(
            "BEGIN; SET LOCAL synchronous_commit TO OFF; \
             UPDATE incidents SET order_seq = order_seq + 1 WHERE id = '{incident}' RETURNING order_seq; COMMIT"
        ))
        .await;
    let numbered = match numbered {
        Ok(messages) => messages,
        Err(e) => {
            // A statement failed inside the block: end it, or the pooled connection stays in
            // an aborted transaction for whoever uses it next.
            let _ = c.simple_query("ROLLBACK").await;
            return Err(classify(e));
        }
    };
    let seq = numbered.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0).and_then(|n| n.parse::<u64>().ok()),
        _ => None,
    });
    seq.ok_or_else(|| StoreError::NotFound(format!("incident {incident} not found")))
}

pub(super) async fn count_fix_code_try(
    c: &mut Client,
    client: IpAddr,
    vendor: &VendorId,
    now: DateTime<Utc>,
) -> StoreResult<Option<u64>> {
    let (client, vendor) = (client.to_string(), vendor.as_str());
    let tx = c.transaction().await.map_err(classify)?;
    // Tries of one client for one vendor are counted one at a time across instances, so the
    // count read below cannot miss a try another instance is adding.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&format!("fix-code-try {client} {vendor}")],
    )
    .await
    .map_err(classify)?;
    tx.execute(
        "DELETE FROM fix_code_tries WHERE at <= $1",
        &[&to_ms(window_start(now))],
    )
    .await
    .map_err(classify)?;
    let recent: Vec<DateTime<Utc>> = tx
        .query(
            "SELECT at FROM fix_code_tries WHERE client = $1 AND vendor_id = $2 ORDER BY at",
            &[&client, &vendor],
        )
        .await
        .map_err(classify)?
        .iter()
        .map(|r| from_ms(r.get(0)))
        .collect();
    let wait = wait_after(&recent, MAX_WRONG, now);
    if wait.is_none() {
        tx.execute(
            "INSERT INTO fix_code_tries (client, vendor_id, at) VALUES ($1, $2, $3)",
            &[&client, &vendor, &to_ms(now)],
        )
        .await
        .map_err(classify)?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(wait)
}
