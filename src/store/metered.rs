//! A store wrapper that times every call, so operators see store latency per operation.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    AdminSession, CalendarFeed, EndedIncident, IncidentFilter, KeyOwner, OpenIncident, Recorded, RejectedDelta,
    StatsDelta, Store, StoreResult, Transition, VendorEnding, VendorState,
};
use crate::domain::{Event, FixCode, Incident, KeyHash, Pause, TimelineEvent, Vendor, VendorId, Voided};
use crate::metrics::{Metrics, StoreLabels};
use crate::tickets::StoredKey;

pub struct MeteredStore {
    inner: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }

    async fn timed<T>(&self, op: &'static str, call: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
        let started = Instant::now();
        let out = call.await;
        self.metrics
            .store_latency
            .get_or_create(&StoreLabels { op })
            .observe(started.elapsed().as_secs_f64());
        out
    }
}

#[async_trait]
impl Store for MeteredStore {
    async fn ping(&self) -> StoreResult<()> {
        self.timed("ping", self.inner.ping()).await
    }

    fn calls(&self) -> u64 {
        self.inner.calls()
    }

    fn webhooks(&self) -> &dyn super::WebhookStore {
        self.inner.webhooks()
    }

    async fn change_version(&self) -> StoreResult<Option<i64>> {
        self.timed("change_version", self.inner.change_version()).await
    }

    async fn insert_vendor(&self, vendor: &Vendor, key: KeyHash) -> StoreResult<()> {
        self.timed("insert_vendor", self.inner.insert_vendor(vendor, key)).await
    }

    async fn vendor_by_key(&self, key: KeyHash) -> StoreResult<Option<KeyOwner>> {
        self.timed("vendor_by_key", self.inner.vendor_by_key(key)).await
    }

    async fn vendor_state(&self, id: &VendorId) -> StoreResult<VendorState> {
        self.timed("vendor_state", self.inner.vendor_state(id)).await
    }

    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>> {
        self.timed("vendors", self.inner.vendors()).await
    }

    async fn update_vendor(&self, vendor: &Vendor) -> StoreResult<bool> {
        self.timed("update_vendor", self.inner.update_vendor(vendor)).await
    }

    async fn delete_vendor(&self, id: &VendorId, ending: &VendorEnding) -> StoreResult<Option<Vec<EndedIncident>>> {
        self.timed("delete_vendor", self.inner.delete_vendor(id, ending)).await
    }

    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool> {
        self.timed("replace_api_key", self.inner.replace_api_key(id, key, now))
            .await
    }

    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()> {
        self.timed("add_api_key", self.inner.add_api_key(id, key, now)).await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        self.timed("signing_keys", self.inner.signing_keys()).await
    }

    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()> {
        self.timed("rotate_signing_key", self.inner.rotate_signing_key(key))
            .await
    }

    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        own_request: bool,
    ) -> StoreResult<Recorded> {
        self.timed(
            "create_incident",
            self.inner.create_incident(incident, fix_code, own_request),
        )
        .await
    }

    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool> {
        self.timed("start_incident", self.inner.start_incident(id, detail))
            .await
    }

    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool> {
        self.timed("transition", self.inner.transition(id, change)).await
    }

    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()> {
        self.timed("add_event", self.inner.add_event(id, event)).await
    }

    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<Vec<RejectedDelta>> {
        self.timed("add_stats", self.inner.add_stats(deltas)).await
    }

    async fn end_open_incidents(
        &self,
        vendor: Option<&VendorId>,
        ending: &VendorEnding,
    ) -> StoreResult<Vec<EndedIncident>> {
        self.timed("end_open_incidents", self.inner.end_open_incidents(vendor, ending))
            .await
    }

    async fn next_order(&self, incident: Uuid) -> StoreResult<u64> {
        self.timed("next_order", self.inner.next_order(incident)).await
    }

    async fn count_fix_code_try(
        &self,
        client: std::net::IpAddr,
        vendor: &VendorId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>> {
        self.timed("count_fix_code_try", self.inner.count_fix_code_try(client, vendor, now))
            .await
    }

    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>> {
        self.timed("open_incidents", self.inner.open_incidents()).await
    }

    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>> {
        self.timed("incident", self.inner.incident(id)).await
    }

    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        self.timed("incidents", self.inner.incidents(filter)).await
    }

    async fn incident_count(&self, filter: &IncidentFilter) -> StoreResult<u64> {
        self.timed("incident_count", self.inner.incident_count(filter)).await
    }

    async fn reschedule_incident(
        &self,
        id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        event: &TimelineEvent,
    ) -> StoreResult<bool> {
        self.timed(
            "reschedule_incident",
            self.inner.reschedule_incident(id, from, to, event),
        )
        .await
    }

    async fn void_incident(&self, id: Uuid, voided: &Voided, event: &TimelineEvent) -> StoreResult<bool> {
        self.timed("void_incident", self.inner.void_incident(id, voided, event))
            .await
    }

    async fn chaos_pause(&self) -> StoreResult<Option<Pause>> {
        self.timed("chaos_pause", self.inner.chaos_pause()).await
    }

    async fn set_chaos_pause(&self, pause: Option<&Pause>) -> StoreResult<()> {
        self.timed("set_chaos_pause", self.inner.set_chaos_pause(pause)).await
    }

    async fn create_session(&self, session: &AdminSession) -> StoreResult<()> {
        self.timed("create_session", self.inner.create_session(session)).await
    }

    async fn touch_session(
        &self,
        id: KeyHash,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> StoreResult<Option<VendorId>> {
        self.timed("touch_session", self.inner.touch_session(id, now, idle))
            .await
    }

    async fn end_session(&self, id: KeyHash) -> StoreResult<()> {
        self.timed("end_session", self.inner.end_session(id)).await
    }

    async fn create_feed(&self, feed: &CalendarFeed) -> StoreResult<()> {
        self.timed("create_feed", self.inner.create_feed(feed)).await
    }

    async fn feeds(&self) -> StoreResult<Vec<CalendarFeed>> {
        self.timed("feeds", self.inner.feeds()).await
    }

    async fn feed_by_token(&self, token: KeyHash) -> StoreResult<Option<CalendarFeed>> {
        self.timed("feed_by_token", self.inner.feed_by_token(token)).await
    }

    async fn delete_feed(&self, id: Uuid) -> StoreResult<bool> {
        self.timed("delete_feed", self.inner.delete_feed(id)).await
    }

    async fn events(&self, after: i64, limit: usize) -> StoreResult<Vec<Event>> {
        self.timed("events", self.inner.events(after, limit)).await
    }

    async fn latest_event_seq(&self) -> StoreResult<i64> {
        self.timed("latest_event_seq", self.inner.latest_event_seq()).await
    }

    async fn close(&self) -> StoreResult<()> {
        self.timed("close", self.inner.close()).await
    }
}
