//! Webhooks and their delivery log in the SQLite store.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::SqliteStore;
use super::rows::bad_column;
use crate::domain::webhook::{Attempt, Retried, events_column, events_from_column};
use crate::domain::webhook::{Delivery, DeliveryState, DueDelivery, Format, HookEvent, Webhook, WebhookSecret};
use crate::store::webhooks::{WebhookStore, parse_uuid};
use crate::store::{StoreResult, from_ms, to_ms};

/// A random (version 4) UUID in SQL, so one `INSERT ... SELECT` names each delivery itself.
const NEW_UUID: &str = "lower(substr(hex(randomblob(4)),1,8) || '-' || hex(randomblob(2)) || '-4' \
     || substr(hex(randomblob(2)),2) || '-' || substr('89ab', 1 + abs(random()) % 4, 1) \
     || substr(hex(randomblob(2)),2) || '-' || hex(randomblob(6)))";

/// Enqueues one delivery of `event` for every webhook subscribed to its type, inside the
/// caller's open transaction (the one that records the event): both or neither are stored.
/// SQLite numbers an event at its insert, so `event.seq` is always known here.
pub(crate) fn enqueue_deliveries(tx: &Connection, event: &HookEvent) -> rusqlite::Result<u64> {
    let sql = format!(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_seq, event_type, payload, next_attempt_at, created_at)
         SELECT {NEW_UUID}, w.id, ?1, ?2, ?3, ?4, ?4
         FROM webhooks w WHERE instr(w.events, ',' || ?2 || ',') > 0
         ON CONFLICT (webhook_id, event_seq) DO NOTHING"
    );
    let n = tx
        .prepare_cached(&sql)?
        .execute(params![event.seq, event.kind, event.json, to_ms(event.at)])?;
    Ok(n as u64)
}

pub(super) fn enqueue(c: &mut Connection, event: &HookEvent) -> rusqlite::Result<u64> {
    let tx = c.transaction()?;
    let n = enqueue_deliveries(&tx, event)?;
    tx.commit()?;
    Ok(n)
}

pub(super) fn create(c: &mut Connection, hook: &Webhook, secret: &str, cap: usize) -> rusqlite::Result<bool> {
    let n = c.execute(
        "INSERT INTO webhooks (id, url, events, format, secret, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE (SELECT COUNT(*) FROM webhooks) < ?7",
        params![
            hook.id.to_string(),
            hook.url,
            events_column(&hook.events),
            hook.format.as_str(),
            secret,
            to_ms(hook.created_at),
            cap as i64
        ],
    )?;
    Ok(n == 1)
}

pub(super) fn list(c: &mut Connection) -> rusqlite::Result<Vec<Webhook>> {
    let mut stmt = c.prepare("SELECT id, url, events, format, created_at FROM webhooks ORDER BY created_at, id")?;
    let rows = stmt.query_map([], |r| {
        let format: String = r.get(3)?;
        Ok(Webhook {
            id: uuid_at(r, 0)?,
            url: r.get(1)?,
            events: events_from_column(&r.get::<_, String>(2)?),
            format: Format::parse(&format).ok_or_else(|| bad_column(3, "webhook format"))?,
            created_at: from_ms(r.get(4)?),
        })
    })?;
    rows.collect()
}

pub(super) fn delete(c: &mut Connection, id: Uuid) -> rusqlite::Result<bool> {
    Ok(c.execute("DELETE FROM webhooks WHERE id = ?1", [id.to_string()])? == 1)
}

pub(super) fn deliveries(c: &mut Connection, webhook: Uuid, limit: usize) -> rusqlite::Result<Option<Vec<Delivery>>> {
    let exists: bool = c.query_row(
        "SELECT EXISTS(SELECT 1 FROM webhooks WHERE id = ?1)",
        [webhook.to_string()],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    let mut stmt = c.prepare(
        "SELECT id, event_seq, event_type, state, attempts, last_status, last_error, next_attempt_at, created_at
         FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY created_at DESC, event_seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![webhook.to_string(), limit as i64], |r| {
        let state: String = r.get(3)?;
        Ok(Delivery {
            id: uuid_at(r, 0)?,
            event_seq: r.get(1)?,
            event_type: r.get(2)?,
            state: DeliveryState::parse(&state).ok_or_else(|| bad_column(3, "delivery state"))?,
            attempts: r.get(4)?,
            last_status: r.get(5)?,
            last_error: r.get(6)?,
            next_attempt_at: from_ms(r.get(7)?),
            created_at: from_ms(r.get(8)?),
        })
    })?;
    rows.collect::<rusqlite::Result<_>>().map(Some)
}

pub(super) fn retry(
    c: &mut Connection,
    webhook: Uuid,
    delivery: Uuid,
    now: DateTime<Utc>,
) -> rusqlite::Result<Retried> {
    let tx = c.transaction()?;
    let state: Option<String> = tx
        .query_row(
            "SELECT state FROM webhook_deliveries WHERE id = ?1 AND webhook_id = ?2",
            params![delivery.to_string(), webhook.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let outcome = match state.as_deref() {
        None => Retried::NotFound,
        Some("delivered") => Retried::Delivered,
        Some(_) => {
            tx.execute(
                "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1",
                params![delivery.to_string(), to_ms(now)],
            )?;
            Retried::Due
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// Candidates first, then one conditional UPDATE each: a row another worker claimed meanwhile
/// changes nothing here and is skipped.
pub(super) fn claim(
    c: &mut Connection,
    now: DateTime<Utc>,
    limit: usize,
    claimer: &str,
    until: DateTime<Utc>,
) -> rusqlite::Result<Vec<DueDelivery>> {
    let now = to_ms(now);
    let ids: Vec<String> = c
        .prepare(
            "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1
             AND claimed_until < ?1 ORDER BY next_attempt_at LIMIT ?2",
        )?
        .query_map(params![now, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut claimed = Vec::new();
    for id in ids {
        let row = c
            .query_row(
                "UPDATE webhook_deliveries SET claimed_by = ?2, claimed_until = ?3
                 WHERE id = ?1 AND state = 'pending' AND claimed_until < ?4
                 RETURNING id, (SELECT url FROM webhooks w WHERE w.id = webhook_id),
                   (SELECT secret FROM webhooks w WHERE w.id = webhook_id), event_type, payload, attempts, created_at,
                   (SELECT format FROM webhooks w WHERE w.id = webhook_id)",
                params![id, claimer, to_ms(until), now],
                due_from_row,
            )
            .optional()?;
        claimed.extend(row);
    }
    Ok(claimed)
}

fn due_from_row(r: &Row<'_>) -> rusqlite::Result<DueDelivery> {
    let format: String = r.get(7)?;
    Ok(DueDelivery {
        id: uuid_at(r, 0)?,
        url: r.get(1)?,
        secret: WebhookSecret::stored(r.get(2)?),
        format: Format::parse(&format).ok_or_else(|| bad_column(7, "webhook format"))?,
        event_type: r.get(3)?,
        payload: r.get(4)?,
        attempts: r.get(5)?,
        created_at: from_ms(r.get(6)?),
    })
}

pub(super) fn record(c: &mut Connection, id: Uuid, claimer: &str, a: &Attempt) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE webhook_deliveries SET state = ?3, attempts = attempts + 1, last_status = ?4, last_error = ?5,
           next_attempt_at = ?6, claimed_by = NULL, claimed_until = 0
         WHERE id = ?1 AND claimed_by = ?2",
        params![
            id.to_string(),
            claimer,
            a.state.as_str(),
            a.status,
            a.error,
            to_ms(a.next_attempt_at)
        ],
    )?;
    Ok(n == 1)
}

pub(super) fn pending(c: &mut Connection) -> rusqlite::Result<u64> {
    c.query_row(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    parse_uuid(&r.get::<_, String>(i)?).ok_or_else(|| bad_column(i, "uuid"))
}

#[async_trait::async_trait]
impl WebhookStore for SqliteStore {
    async fn create_webhook(&self, hook: &Webhook, secret: &WebhookSecret, cap: usize) -> StoreResult<bool> {
        let (hook, secret) = (hook.clone(), secret.expose().to_owned());
        self.run(move |c| create(c, &hook, &secret, cap)).await
    }

    async fn webhooks(&self) -> StoreResult<Vec<Webhook>> {
        self.run(list).await
    }

    async fn delete_webhook(&self, id: Uuid) -> StoreResult<bool> {
        self.run(move |c| delete(c, id)).await
    }

    async fn enqueue(&self, event: &HookEvent) -> StoreResult<u64> {
        let event = event.clone();
        self.run(move |c| enqueue(c, &event)).await
    }

    async fn deliveries(&self, webhook: Uuid, limit: usize) -> StoreResult<Option<Vec<Delivery>>> {
        self.run(move |c| deliveries(c, webhook, limit)).await
    }

    async fn retry_delivery(&self, webhook: Uuid, delivery: Uuid, now: DateTime<Utc>) -> StoreResult<Retried> {
        self.run(move |c| retry(c, webhook, delivery, now)).await
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        claimer: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueDelivery>> {
        let claimer = claimer.to_owned();
        self.run(move |c| claim(c, now, limit, &claimer, until)).await
    }

    async fn record_attempt(&self, id: Uuid, claimer: &str, attempt: &Attempt) -> StoreResult<bool> {
        let (claimer, attempt) = (claimer.to_owned(), attempt.clone());
        self.run(move |c| record(c, id, &claimer, &attempt)).await
    }

    async fn pending_deliveries(&self) -> StoreResult<u64> {
        self.run(pending).await
    }
}
