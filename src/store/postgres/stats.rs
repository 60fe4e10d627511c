//! Incident counters in PostgreSQL: increments from every instance, each delta on its own.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient};

use super::classify;
use super::incidents::insert_event;
use crate::domain::TimelineEvent;
use crate::store::{RejectedDelta, StatsDelta, StoreResult, saturating_add_sql, stored_count, to_ms};

/// Adds counter deltas, each in a savepoint of one transaction: a delta its incident's row
/// refuses is rolled back alone and returned, the others are committed.
pub(super) async fn add_stats(c: &mut Client, deltas: &[StatsDelta]) -> StoreResult<Vec<RejectedDelta>> {
    let mut tx = c.transaction().await.map_err(classify)?;
    let mut rejected = Vec::new();
    for d in deltas {
        let sp = tx.transaction().await.map_err(classify)?;
        match add_delta(&sp, d).await {
            Ok(()) => sp.commit().await.map_err(classify)?,
            Err(e) => {
                // If even the rollback fails, the connection is gone: nothing was added.
                sp.rollback().await.map_err(classify)?;
                rejected.push(RejectedDelta {
                    delta: d.clone(),
                    reason: e.to_string(),
                });
            }
        }
    }
    tx.commit().await.map_err(classify)?;
    Ok(rejected)
}

async fn add_delta(tx: &impl GenericClient, d: &StatsDelta) -> StoreResult<()> {
    let id = d.incident.to_string();
    // Additions, never overwrites: the deltas of every instance sum up exactly.
    let sql = format!(
        "UPDATE incidents SET {}, {}, {}, {}, {} WHERE id = $1",
        saturating_add_sql("orders_affected", "$2"),
        saturating_add_sql("orders_failed", "$3"),
        saturating_add_sql("orders_succeeded", "$4"),
        saturating_add_sql("lost_satoshi", "$5"),
        saturating_add_sql("wrong_fix_codes", "$6"),
    );
    tx.execute(
        &sql,
        &[
            &id,
            &stored_count(d.affected),
            &stored_count(d.failed),
            &stored_count(d.succeeded),
            &stored_count(d.lost_satoshi),
            &stored_count(d.wrong_fix_codes),
        ],
    )
    .await
    .map_err(classify)?;
    if let Some(first) = d.first_failure_at {
        record_first_failure(tx, &id, first).await?;
    }
    super::minutes::add(tx, &id, &d.minutes).await
}

/// Keeps the earliest failure any instance saw; conditional updates re-check their condition
/// after waiting for a concurrent flush, so the timeline gets exactly one `first_failure`.
async fn record_first_failure(tx: &impl GenericClient, id: &str, first: DateTime<Utc>) -> StoreResult<()> {
    let at = to_ms(first);
    let set = tx
        .execute(
            "UPDATE incidents SET first_failure_at = $2 WHERE id = $1 AND first_failure_at IS NULL",
            &[&id, &at],
        )
        .await
        .map_err(classify)?;
    if set == 1 {
        let event = TimelineEvent::new(first, "first_failure", "first order denied a valid ticket");
        return insert_event(tx, id, &event).await;
    }
    for sql in [
        "UPDATE incidents SET first_failure_at = $2 WHERE id = $1 AND first_failure_at > $2",
        "UPDATE incident_events SET at = $2 WHERE incident_id = $1 AND kind = 'first_failure' AND at > $2",
    ] {
        tx.execute(sql, &[&id, &at]).await.map_err(classify)?;
    }
    Ok(())
}
