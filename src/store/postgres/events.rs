//! Events in PostgreSQL: `record` is the one way a change writes its event, inside the change's
//! own transaction, with the webhook deliveries of the event.
//!
//! One order across instances: a plain BIGSERIAL would hand out seqs in the order transactions
//! insert, not the order they commit, so a reader paging with `after=` could pass over a seq that
//! commits later. The row is inserted without a seq; a deferred trigger (migration 0007) numbers
//! it at COMMIT under a transaction-level advisory lock, released only once the commit is
//! visible. Seq order is therefore commit order. Taking the lock at commit, rather than at the
//! insert, holds it for the commit alone and after every row lock of the transaction, so event
//! writers never deadlock on it nor wait on each other's other work.

use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::webhooks::enqueue_deliveries;
use super::{bad_row, classify};
use crate::domain::webhook::HookEvent;
use crate::domain::{Event, NewEvent, TimelineEvent};
use crate::store::{StoreResult, from_ms, to_ms};

/// Writes `event` in the transaction `tx` is (it must be one: the seq is given at its commit),
/// and its webhook deliveries, which get the seq at that commit too (migration 0012).
pub(super) async fn record(tx: &impl GenericClient, event: &NewEvent) -> StoreResult<()> {
    let row = tx
        .query_one(
            "INSERT INTO events (type, at, vendor_id, incident_id, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[
                &event.kind,
                &to_ms(event.at),
                &event.vendor_id,
                &event.incident_id.map(|id| id.to_string()),
                &event.detail.to_string(),
            ],
        )
        .await
        .map_err(classify)?;
    enqueue_deliveries(tx, &HookEvent::unnumbered(event), Some(row.get(0))).await?;
    Ok(())
}

/// The event of a timeline entry just written for incident `id`; its vendor and mode are read
/// from the incident row in the same transaction.
pub(super) async fn record_timeline(
    tx: &impl GenericClient,
    id: &str,
    entry: &TimelineEvent,
    halted: bool,
) -> StoreResult<()> {
    let Some(row) = tx
        .query_opt("SELECT vendor_id, mode FROM incidents WHERE id = $1", &[&id])
        .await
        .map_err(classify)?
    else {
        // A timeline row of no incident: nothing that happened to tell of.
        return Ok(());
    };
    let incident = Uuid::parse_str(id).map_err(|_| bad_row("incident id"))?;
    record(tx, &NewEvent::chaos(row.get(0), incident, row.get(1), entry, halted)).await
}

pub(super) async fn list(c: &impl GenericClient, after: i64, limit: usize) -> StoreResult<Vec<Event>> {
    let rows = c
        .query(
            "SELECT seq, type, at, vendor_id, incident_id, detail FROM events \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&after, &(limit as i64)],
        )
        .await
        .map_err(classify)?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                seq: r.get(0),
                event: NewEvent {
                    kind: r.get(1),
                    at: from_ms(r.get(2)),
                    vendor_id: r.get(3),
                    incident_id: r
                        .get::<_, Option<&str>>(4)
                        .map(|i| Uuid::parse_str(i).map_err(|_| bad_row("event incident id")))
                        .transpose()?,
                    detail: serde_json::from_str(r.get(5)).map_err(|_| bad_row("event detail"))?,
                },
            })
        })
        .collect()
}
