//! The shared store: PostgreSQL (or a compatible database) for several instances behind one address.

mod calendar;
mod cluster;
mod controls;
mod events;
mod incidents;
mod keys;
mod listen;
mod listing;
mod minutes;
mod open;
mod sessions;
mod stats;
mod vendors;
pub(crate) mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::{
    AdminSession, CalendarFeed, EndedIncident, IncidentFilter, KeyOwner, OpenIncident, Recorded, RejectedDelta,
    StatsDelta, Store, StoreError, StoreResult, Transition, VendorEnding, VendorState,
};
use crate::domain::{Event, FixCode, Incident, KeyHash, Pause, TimelineEvent, Vendor, VendorId, Voided};
use crate::tickets::StoredKey;
/// Bounds on every store call, so a stalled database answers 503 instead of hanging requests.
const WAIT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    calls: Arc<AtomicU64>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn classify(e: tokio_postgres::Error) -> StoreError {
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::FOREIGN_KEY_VIOLATION => {
            StoreError::Conflict(e.to_string())
        }
        // Log the database's own message: `Display` of the error alone says only "db error".
        _ => unavailable(e.as_db_error().map_or_else(|| e.to_string(), |d| d.to_string())),
    }
}

pub use listen::{Change, listen as listen_for_changes, stopped};

type Client = deadpool_postgres::Object;

impl PostgresStore {
    async fn client(&self) -> StoreResult<Client> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.pool.get().await.map_err(unavailable)
    }
}

fn bad_row(what: &str) -> StoreError {
    StoreError::Unavailable(format!("stored {what} is malformed"))
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        self.client().await?.execute("SELECT 1", &[]).await.map_err(classify)?;
        Ok(())
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn change_version(&self) -> StoreResult<Option<i64>> {
        let row = self
            .client()
            .await?
            .query_one("SELECT version FROM store_changes WHERE id = 1", &[])
            .await
            .map_err(classify)?;
        Ok(Some(row.get(0)))
    }

    async fn insert_vendor(&self, v: &Vendor, key: KeyHash) -> StoreResult<()> {
        vendors::insert_vendor(&mut *self.client().await?, v, key).await
    }

    async fn vendor_by_key(&self, key: KeyHash) -> StoreResult<Option<KeyOwner>> {
        vendors::vendor_by_key(&**self.client().await?, key).await
    }

    async fn vendor_state(&self, id: &VendorId) -> StoreResult<VendorState> {
        let client = self.client().await?;
        // Both statements go out together on the one connection (pipelined): one round trip.
        let (vendor, chaos) = tokio::try_join!(vendors::one(&client, id), incidents::open_of(&**client, id))?;
        Ok(VendorState { vendor, chaos })
    }

    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>> {
        vendors::vendors(&mut *self.client().await?).await
    }

    async fn update_vendor(&self, v: &Vendor) -> StoreResult<bool> {
        vendors::update_vendor(&mut *self.client().await?, v).await
    }

    async fn delete_vendor(&self, id: &VendorId, ending: &VendorEnding) -> StoreResult<Option<Vec<EndedIncident>>> {
        vendors::delete_vendor(&mut *self.client().await?, id, ending).await
    }

    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool> {
        vendors::replace_api_key(&mut *self.client().await?, id, key, now).await
    }

    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()> {
        vendors::add_api_key(&mut *self.client().await?, id, key, now).await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        keys::all(&**self.client().await?).await
    }

    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()> {
        keys::rotate(&mut *self.client().await?, key).await
    }

    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        own_request: bool,
    ) -> StoreResult<Recorded> {
        incidents::create(&mut *self.client().await?, incident, fix_code, own_request).await
    }

    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool> {
        incidents::start(&mut *self.client().await?, id, detail).await
    }

    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool> {
        incidents::transition(&mut *self.client().await?, id, change).await
    }

    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()> {
        incidents::add_event(&mut *self.client().await?, &id.to_string(), event).await
    }

    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<Vec<RejectedDelta>> {
        stats::add_stats(&mut *self.client().await?, deltas).await
    }

    async fn end_open_incidents(
        &self,
        vendor: Option<&VendorId>,
        ending: &VendorEnding,
    ) -> StoreResult<Vec<EndedIncident>> {
        cluster::end_incidents(&mut *self.client().await?, vendor, ending).await
    }

    async fn next_order(&self, incident: Uuid) -> StoreResult<u64> {
        cluster::next_order(&*self.client().await?, incident).await
    }

    async fn count_fix_code_try(
        &self,
        client: std::net::IpAddr,
        vendor: &VendorId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        cluster::count_fix_code_try(&mut *self.client().await?, client, vendor, now).await
    }

    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>> {
        incidents::open(&**self.client().await?).await
    }

    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>> {
        incidents::one(&**self.client().await?, id).await
    }

    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        listing::list(&**self.client().await?, filter).await
    }

    async fn incident_count(&self, filter: &IncidentFilter) -> StoreResult<u64> {
        listing::count(&**self.client().await?, filter).await
    }

    async fn reschedule_incident(
        &self,
        id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        event: &TimelineEvent,
    ) -> StoreResult<bool> {
        controls::reschedule(&mut *self.client().await?, id, from, to, event).await
    }

    async fn void_incident(&self, id: Uuid, voided: &Voided, event: &TimelineEvent) -> StoreResult<bool> {
        controls::void(&mut *self.client().await?, id, voided, event).await
    }

    async fn chaos_pause(&self) -> StoreResult<Option<Pause>> {
        controls::pause(&**self.client().await?).await
    }

    async fn set_chaos_pause(&self, pause: Option<&Pause>) -> StoreResult<()> {
        controls::set_pause(&**self.client().await?, pause).await
    }

    async fn create_session(&self, session: &AdminSession) -> StoreResult<()> {
        sessions::create(&**self.client().await?, session).await
    }

    async fn touch_session(
        &self,
        id: KeyHash,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> StoreResult<Option<VendorId>> {
        sessions::touch(&**self.client().await?, id, now, idle).await
    }

    async fn end_session(&self, id: KeyHash) -> StoreResult<()> {
        sessions::end(&**self.client().await?, id).await
    }

    async fn create_feed(&self, feed: &CalendarFeed) -> StoreResult<()> {
        calendar::create(&**self.client().await?, feed).await
    }

    async fn feeds(&self) -> StoreResult<Vec<CalendarFeed>> {
        calendar::all(&**self.client().await?).await
    }

    async fn feed_by_token(&self, token: KeyHash) -> StoreResult<Option<CalendarFeed>> {
        calendar::by_token(&**self.client().await?, token).await
    }

    async fn delete_feed(&self, id: Uuid) -> StoreResult<bool> {
        calendar::delete(&**self.client().await?, id).await
    }

    fn webhooks(&self) -> &dyn super::WebhookStore {
        self
    }

    async fn events(&self, after: i64, limit: usize) -> StoreResult<Vec<Event>> {
        events::list(&**self.client().await?, after, limit).await
    }

    async fn latest_event_seq(&self) -> StoreResult<i64> {
        let row = self
            .client()
            .await?
            .query_one("SELECT COALESCE(MAX(seq), 0) FROM events", &[])
            .await
            .map_err(classify)?;
        Ok(row.get(0))
    }

    async fn close(&self) -> StoreResult<()> {
        self.pool.close();
        Ok(())
    }
}
