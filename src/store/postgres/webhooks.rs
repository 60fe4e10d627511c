//! Webhooks and their delivery log in PostgreSQL, shared by every instance: a due delivery is
//! claimed with `FOR UPDATE SKIP LOCKED`, so two workers never take the same one.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::{PostgresStore, bad_row, classify};
use crate::domain::webhook::{Attempt, Retried, events_column, events_from_column};
use crate::domain::webhook::{Delivery, DeliveryState, DueDelivery, Format, HookEvent, Webhook, WebhookSecret};
use crate::store::webhooks::{WebhookStore, parse_uuid};
use crate::store::{StoreResult, from_ms, to_ms};

/// Enqueues one delivery of `event` for every webhook subscribed to its type, inside the
/// caller's open transaction (the one that records the event): both or neither are stored.
/// An event not numbered yet is named by `event_id`, its row in `events`; the commit trigger
/// (migration 0012) then gives its seq to these deliveries.
pub(crate) async fn enqueue_deliveries(
    tx: &impl GenericClient,
    event: &HookEvent,
    event_id: Option<i64>,
) -> StoreResult<u64> {
    tx.execute(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_seq, event_id, event_type, payload, next_attempt_at, created_at)
         SELECT gen_random_uuid()::text, w.id, $1, $2, $3, $4, $5, $5
         FROM webhooks w WHERE position(',' || $3 || ',' IN w.events) > 0
         ON CONFLICT (webhook_id, event_seq) DO NOTHING",
        &[&event.seq, &event_id, &event.kind, &event.json, &to_ms(event.at)],
    )
    .await
    .map_err(classify)
}

fn uuid_of(r: &Row, i: usize) -> StoreResult<Uuid> {
    parse_uuid(r.get(i)).ok_or_else(|| bad_row("uuid"))
}

fn webhook_from_row(r: &Row) -> StoreResult<Webhook> {
    Ok(Webhook {
        id: uuid_of(r, 0)?,
        url: r.get(1),
        events: events_from_column(r.get(2)),
        format: Format::parse(r.get(3)).ok_or_else(|| bad_row("webhook format"))?,
        created_at: from_ms(r.get(4)),
    })
}

fn delivery_from_row(r: &Row) -> StoreResult<Delivery> {
    Ok(Delivery {
        id: uuid_of(r, 0)?,
        event_seq: r.get(1),
        event_type: r.get(2),
        state: DeliveryState::parse(r.get(3)).ok_or_else(|| bad_row("delivery state"))?,
        attempts: r.get::<_, i32>(4).max(0) as u32,
        last_status: r.get::<_, Option<i32>>(5).and_then(|s| u16::try_from(s).ok()),
        last_error: r.get(6),
        next_attempt_at: from_ms(r.get(7)),
        created_at: from_ms(r.get(8)),
    })
}

fn due_from_row(r: &Row) -> StoreResult<DueDelivery> {
    Ok(DueDelivery {
        id: uuid_of(r, 0)?,
        url: r.get(1),
        secret: WebhookSecret::stored(r.get(2)),
        format: Format::parse(r.get(7)).ok_or_else(|| bad_row("webhook format"))?,
        event_type: r.get(3),
        payload: r.get(4),
        attempts: r.get::<_, i32>(5).max(0) as u32,
        created_at: from_ms(r.get(6)),
    })
}

#[async_trait::async_trait]
impl WebhookStore for PostgresStore {
    async fn create_webhook(&self, hook: &Webhook, secret: &WebhookSecret, cap: usize) -> StoreResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        // One registration at a time, so two instances cannot both pass the cap.
        tx.execute("LOCK TABLE webhooks IN SHARE ROW EXCLUSIVE MODE", &[])
            .await
            .map_err(classify)?;
        let n = tx
            .execute(
                "INSERT INTO webhooks (id, url, events, format, secret, created_at)
                 SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COUNT(*) FROM webhooks) < $7",
                &[
                    &hook.id.to_string(),
                    &hook.url,
                    &events_column(&hook.events),
                    &hook.format.as_str(),
                    &secret.expose(),
                    &to_ms(hook.created_at),
                    &(cap as i64),
                ],
            )
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(n == 1)
    }

    async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, url, events, format, created_at FROM webhooks ORDER BY created_at, id",
                &[],
            )
            .await
            .map_err(classify)?;
        rows.iter().map(webhook_from_row).collect()
    }

    async fn delete_webhook(&self, id: Uuid) -> StoreResult<bool> {
        let client = self.client().await?;
        let n = client
            .execute("DELETE FROM webhooks WHERE id = $1", &[&id.to_string()])
            .await
            .map_err(classify)?;
        Ok(n == 1)
    }

    async fn enqueue(&self, event: &HookEvent) -> StoreResult<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let n = enqueue_deliveries(&*tx, event, None).await?;
        tx.commit().await.map_err(classify)?;
        Ok(n)
    }

    async fn deliveries(&self, webhook: Uuid, limit: usize) -> StoreResult<Option<Vec<Delivery>>> {
        let client = self.client().await?;
        let id = webhook.to_string();
        if client
            .query_opt("SELECT 1 FROM webhooks WHERE id = $1", &[&id])
            .await
            .map_err(classify)?
            .is_none()
        {
            return Ok(None);
        }
        let rows = client
            .query(
                "SELECT id, event_seq, event_type, state, attempts, last_status, last_error, next_attempt_at, created_at
                 FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, event_seq DESC LIMIT $2",
                &[&id, &(limit as i64)],
            )
            .await
            .map_err(classify)?;
        rows.iter().map(delivery_from_row).collect::<StoreResult<_>>().map(Some)
    }

    async fn retry_delivery(&self, webhook: Uuid, delivery: Uuid, now: DateTime<Utc>) -> StoreResult<Retried> {
        let client = self.client().await?;
        let (webhook, delivery) = (webhook.to_string(), delivery.to_string());
        let updated = client
            .execute(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3
                 WHERE id = $1 AND webhook_id = $2 AND state <> 'delivered'",
                &[&delivery, &webhook, &to_ms(now)],
            )
            .await
            .map_err(classify)?;
        if updated == 1 {
            return Ok(Retried::Due);
        }
        let exists = client
            .query_opt(
                "SELECT 1 FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2",
                &[&delivery, &webhook],
            )
            .await
            .map_err(classify)?;
        Ok(if exists.is_some() {
            Retried::Delivered
        } else {
            Retried::NotFound
        })
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        claimer: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueDelivery>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let rows = tx
            .query(
                "WITH due AS (
                   SELECT id FROM webhook_deliveries
                   WHERE state = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1
                   ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                 UPDATE webhook_deliveries d SET claimed_by = $3, claimed_until = $4
                 FROM due, webhooks w WHERE d.id = due.id AND w.id = d.webhook_id
                 RETURNING d.id, w.url, w.secret, d.event_type, d.payload, d.attempts, d.created_at, w.format",
                &[&to_ms(now), &(limit as i64), &claimer, &to_ms(until)],
            )
            .await
            .map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        rows.iter().map(due_from_row).collect()
    }

    async fn record_attempt(&self, id: Uuid, claimer: &str, a: &Attempt) -> StoreResult<bool> {
        let n = record(&**self.client().await?, id, claimer, a).await?;
        Ok(n == 1)
    }

    async fn pending_deliveries(&self) -> StoreResult<u64> {
        let row = self
            .client()
            .await?
            .query_one("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'", &[])
            .await
            .map_err(classify)?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }
}

async fn record(c: &impl GenericClient, id: Uuid, claimer: &str, a: &Attempt) -> StoreResult<u64> {
    c.execute(
        "UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, last_status = $4, last_error = $5,
           next_attempt_at = $6, claimed_by = NULL, claimed_until = 0
         WHERE id = $1 AND claimed_by = $2",
        &[
            &id.to_string(),
            &claimer,
            &a.state.as_str(),
            &a.status.map(i32::from),
            &a.error,
            &to_ms(a.next_attempt_at),
        ],
    )
    .await
    .map_err(classify)
}
