//! What the stores keep of webhooks: registrations and the delivery log the worker drains.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreResult;
use crate::domain::webhook::{Attempt, Retried};
use crate::domain::webhook::{Delivery, DueDelivery, HookEvent, Webhook, WebhookSecret};

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Registers `hook` with its secret unless `cap` webhooks exist already (false then).
    async fn create_webhook(&self, hook: &Webhook, secret: &WebhookSecret, cap: usize) -> StoreResult<bool>;
    /// Every webhook, oldest first, without secrets.
    async fn webhooks(&self) -> StoreResult<Vec<Webhook>>;
    /// Deletes a webhook and its deliveries, pending ones included; false if there was none.
    async fn delete_webhook(&self, id: Uuid) -> StoreResult<bool>;
    /// One delivery of `event` per webhook subscribed to its type, in a transaction of its own;
    /// how many. The event side calls `enqueue_deliveries` inside its own transaction instead.
    async fn enqueue(&self, event: &HookEvent) -> StoreResult<u64>;
    /// The newest `limit` deliveries of a webhook, newest first; `None` if there is no webhook.
    async fn deliveries(&self, webhook: Uuid, limit: usize) -> StoreResult<Option<Vec<Delivery>>>;
    /// Makes a pending or failed delivery of `webhook` due at `now`.
    async fn retry_delivery(&self, webhook: Uuid, delivery: Uuid, now: DateTime<Utc>) -> StoreResult<Retried>;
    /// Claims up to `limit` pending deliveries due at `now` that nobody holds, for `claimer`
    /// until `until`: each is claimed by one worker only, whichever instance runs it.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        claimer: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<DueDelivery>>;
    /// Records an attempt and releases the claim, if `claimer` still holds it.
    async fn record_attempt(&self, id: Uuid, claimer: &str, attempt: &Attempt) -> StoreResult<bool>;
    /// How many deliveries are pending (the gauge).
    async fn pending_deliveries(&self) -> StoreResult<u64>;
}

/// A stored delivery id: the stores write UUIDs, so anything else is a malformed row.
pub(crate) fn parse_uuid(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw).ok()
}
