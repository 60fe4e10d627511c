//! The embedded store: one SQLite file in WAL mode, fsynced on every commit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use uuid::Uuid;

use super::{
    AdminSession, CalendarFeed, EndedIncident, IncidentFilter, OpenIncident, Recorded, RejectedDelta, StatsDelta,
    Store, StoreError, StoreResult, Transition, VendorEnding,
};
use crate::domain::{Event, FixCode, Incident, KeyHash, Pause, TimelineEvent, Vendor, VendorId, Voided};
use crate::tickets::StoredKey;

mod calendar;
mod cluster;
mod controls;
mod deletion;
mod events;
mod incidents;
mod keys;
mod minutes;
mod open;
mod rows;
mod sessions;
mod vendors;
pub(crate) mod webhooks;

use rows::insert_event;

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    calls: Arc<AtomicU64>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn classify(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(e.to_string()),
        _ => unavailable(e),
    }
}

impl SqliteStore {
    async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| unavailable("connection lock poisoned"))?;
            f(&mut conn).map_err(classify)
        })
        .await
        .map_err(unavailable)?
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn insert_vendor(&self, vendor: &Vendor, key: KeyHash) -> StoreResult<()> {
        let v = vendor.clone();
        self.run(move |c| vendors::insert(c, &v, key)).await
    }

    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>> {
        self.run(vendors::all).await
    }

    async fn update_vendor(&self, vendor: &Vendor) -> StoreResult<bool> {
        let v = vendor.clone();
        self.run(move |c| vendors::update(c, &v)).await
    }

    async fn delete_vendor(&self, id: &VendorId, ending: &VendorEnding) -> StoreResult<Option<Vec<EndedIncident>>> {
        let (id, ending) = (id.clone(), ending.clone());
        self.run(move |c| deletion::delete_vendor(c, &id, &ending)).await
    }

    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool> {
        let id = id.clone();
        self.run(move |c| vendors::replace_key(c, &id, key, now)).await
    }

    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()> {
        let id = id.clone();
        self.run(move |c| vendors::add_key(c, &id, key, now)).await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        self.run(keys::all).await
    }

    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()> {
        let key = key.clone();
        self.run(move |c| keys::rotate(c, &key)).await
    }

    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        own_request: bool,
    ) -> StoreResult<Recorded> {
        let (incident, code) = (incident.clone(), fix_code.expose().to_owned());
        self.run(move |c| incidents::create(c, &incident, &code, own_request))
            .await?
    }

    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool> {
        let detail = detail.to_owned();
        self.run(move |c| incidents::start(c, id, detail)).await
    }

    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool> {
        let change = change.clone();
        self.run(move |c| incidents::transition(c, id, &change)).await
    }

    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()> {
        let event = event.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            insert_event(&tx, &id.to_string(), &event)?;
            tx.commit()
        })
        .await
    }

    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<Vec<RejectedDelta>> {
        let deltas = deltas.to_vec();
        self.run(move |c| incidents::add_stats(c, &deltas)).await
    }

    async fn end_open_incidents(
        &self,
        vendor: Option<&VendorId>,
        ending: &VendorEnding,
    ) -> StoreResult<Vec<EndedIncident>> {
        let (vendor, ending) = (vendor.cloned(), ending.clone());
        self.run(move |c| cluster::end_incidents(c, vendor.as_ref(), &ending))
            .await
    }

    async fn next_order(&self, incident: Uuid) -> StoreResult<u64> {
        self.run(move |c| cluster::next_order(c, incident)).await?
    }

    async fn count_fix_code_try(
        &self,
        client: std::net::IpAddr,
        vendor: &VendorId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        let vendor = vendor.clone();
        self.run(move |c| cluster::count_fix_code_try(c, client, &vendor, now))
            .await
    }

    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>> {
        self.run(incidents::open).await
    }

    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>> {
        self.run(move |c| incidents::one(c, id)).await
    }

    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        let filter = filter.clone();
        self.run(move |c| incidents::list(c, &filter)).await
    }

    async fn incident_count(&self, filter: &IncidentFilter) -> StoreResult<u64> {
        let filter = filter.clone();
        self.run(move |c| incidents::count(c, &filter)).await
    }

    async fn reschedule_incident(
        &self,
        id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        event: &TimelineEvent,
    ) -> StoreResult<bool> {
        let event = event.clone();
        self.run(move |c| controls::reschedule(c, id, from, to, &event)).await
    }

    async fn void_incident(&self, id: Uuid, voided: &Voided, event: &TimelineEvent) -> StoreResult<bool> {
        let (voided, event) = (voided.clone(), event.clone());
        self.run(move |c| controls::void(c, id, &voided, &event)).await
    }

    async fn chaos_pause(&self) -> StoreResult<Option<Pause>> {
        self.run(controls::pause).await
    }

    async fn set_chaos_pause(&self, pause: Option<&Pause>) -> StoreResult<()> {
        let pause = pause.cloned();
        self.run(move |c| controls::set_pause(c, pause.as_ref())).await
    }

    async fn create_session(&self, session: &AdminSession) -> StoreResult<()> {
        let session = session.clone();
        self.run(move |c| sessions::create(c, &session)).await
    }

    async fn touch_session(&self, id: KeyHash, now: DateTime<Utc>, idle: Duration) -> StoreResult<Option<VendorId>> {
        self.run(move |c| sessions::touch(c, id, now, idle)).await
    }

    async fn end_session(&self, id: KeyHash) -> StoreResult<()> {
        self.run(move |c| sessions::end(c, id)).await
    }

    async fn create_feed(&self, feed: &CalendarFeed) -> StoreResult<()> {
        let feed = feed.clone();
        self.run(move |c| calendar::create(c, &feed)).await
    }

    async fn feeds(&self) -> StoreResult<Vec<CalendarFeed>> {
        self.run(calendar::all).await
    }

    async fn feed_by_token(&self, token: KeyHash) -> StoreResult<Option<CalendarFeed>> {
        self.run(move |c| calendar::by_token(c, token)).await
    }

    async fn delete_feed(&self, id: Uuid) -> StoreResult<bool> {
        self.run(move |c| calendar::delete(c, id)).await
    }

    fn webhooks(&self) -> &dyn super::WebhookStore {
        self
    }

    async fn events(&self, after: i64, limit: usize) -> StoreResult<Vec<Event>> {
        self.run(move |c| events::list(c, after, limit)).await
    }

    async fn latest_event_seq(&self) -> StoreResult<i64> {
        self.run(|c| c.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0)))
            .await
    }

    async fn close(&self) -> StoreResult<()> {
        self.run(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")).await
    }
}
