//! An instructor's controls in PostgreSQL: moving a scheduled chaos, voiding an incident, the
//! chaos pause. Each change is a conditional update, so racing instances do it once.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use super::classify;
use super::incidents::insert_event;
use crate::domain::{Pause, TimelineEvent, Voided};
use crate::store::{StoreResult, from_ms, to_ms};

pub(super) async fn reschedule(
    c: &mut Client,
    id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    event: &TimelineEvent,
) -> StoreResult<bool> {
    let tx = c.transaction().await.map_err(classify)?;
    let id = id.to_string();
    let n = tx
        .execute(
            "UPDATE incidents SET start_at = $3 WHERE id = $1 AND state = 'scheduled' AND start_at = $2",
            &[&id, &to_ms(from), &to_ms(to)],
        )
        .await
        .map_err(classify)?;
    if n == 1 {
        insert_event(&tx, &id, event).await?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(n == 1)
}

pub(super) async fn void(c: &mut Client, id: Uuid, voided: &Voided, event: &TimelineEvent) -> StoreResult<bool> {
    let tx = c.transaction().await.map_err(classify)?;
    let id = id.to_string();
    let n = tx
        .execute(
            "UPDATE incidents SET voided_at = $2, voided_by = $3, voided_reason = $4 \
             WHERE id = $1 AND voided_at IS NULL AND state NOT IN ('scheduled', 'active')",
            &[&id, &to_ms(voided.at), &voided.by, &voided.reason],
        )
        .await
        .map_err(classify)?;
    if n == 1 {
        insert_event(&tx, &id, event).await?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(n == 1)
}

pub(super) async fn pause(c: &impl GenericClient) -> StoreResult<Option<Pause>> {
    let row = c
        .query_opt(
            "SELECT until, reason, paused_by, paused_at FROM chaos_pause WHERE id = 1",
            &[],
        )
        .await
        .map_err(classify)?;
    Ok(row.map(|r| Pause {
        until: from_ms(r.get(0)),
        reason: r.get(1),
        by: r.get(2),
        at: from_ms(r.get(3)),
    }))
}

pub(super) async fn set_pause(c: &impl GenericClient, pause: Option<&Pause>) -> StoreResult<()> {
    match pause {
        None => c.execute("DELETE FROM chaos_pause", &[]).await,
        Some(p) => {
            c.execute(
                "INSERT INTO chaos_pause (id, until, reason, paused_by, paused_at) VALUES (1, $1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET until = excluded.until, reason = excluded.reason, \
                 paused_by = excluded.paused_by, paused_at = excluded.paused_at",
                &[&to_ms(p.until), &p.reason, &p.by, &to_ms(p.at)],
            )
            .await
        }
    }
    .map_err(classify)?;
    Ok(())
}
