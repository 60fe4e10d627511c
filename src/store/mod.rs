//! Persistence behind one trait: SQLite embedded by default, PostgreSQL for several instances.

mod metered;
mod postgres;
mod records;
mod sqlite;
pub mod webhooks;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::domain::{Event, FixCode, Incident, KeyHash, Pause, TimelineEvent, Vendor, VendorId, Voided};
use crate::tickets::StoredKey;

pub use metered::MeteredStore;
pub use postgres::{Change, PostgresStore, listen_for_changes, stopped};
pub use records::{
    AdminSession, CalendarFeed, EndedIncident, IncidentFilter, KeyOwner, OpenIncident, Recorded, RejectedDelta,
    StatsDelta, StoreError, StoreResult, Transition, VendorEnding, VendorState,
};
pub(crate) use records::{kept_note, saturating_add_sql, saturating_upsert_sql, stored_count};
pub use sqlite::SqliteStore;
pub use webhooks::WebhookStore;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn ping(&self) -> StoreResult<()>;
    /// How many times this store has been asked for a connection: tests check that the order
    /// path never is.
    fn calls(&self) -> u64;
    /// A number that changes whenever another instance may have changed what this one caches
    /// (vendors, keys, open chaos); `None` for a store only this process uses.
    async fn change_version(&self) -> StoreResult<Option<i64>> {
        Ok(None)
    }

    async fn insert_vendor(&self, vendor: &Vendor, key: KeyHash) -> StoreResult<()>;
    /// The vendor that `key` authenticates, read in one statement with the change version it
    /// was read at; `None` from a store only this process uses (its directory has every key).
    async fn vendor_by_key(&self, key: KeyHash) -> StoreResult<Option<KeyOwner>> {
        let _ = key;
        Ok(None)
    }
    /// One vendor as a reload reads it: the vendor with its keys (`None` if there is none by
    /// that id) and its scheduled or active chaos, if any.
    async fn vendor_state(&self, id: &VendorId) -> StoreResult<VendorState> {
        let vendor = self.vendors().await?.into_iter().find(|(v, _)| v.id == *id);
        let open = self.open_incidents().await?;
        let chaos = open.into_iter().find(|o| o.incident.vendor_id == *id);
        Ok(VendorState { vendor, chaos })
    }
    /// Every vendor with the hashes of the keys that authenticate it.
    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>>;
    async fn update_vendor(&self, vendor: &Vendor) -> StoreResult<bool>;
    /// Deletes the vendor and ends its open incidents in the same transaction, whichever
    /// instance created them; `None` if there was no such vendor.
    async fn delete_vendor(&self, id: &VendorId, ending: &VendorEnding) -> StoreResult<Option<Vec<EndedIncident>>>;
    /// Replaces every key of the vendor with `key`.
    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Adds a key beside the existing ones; nothing happens if it is already there.
    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()>;

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>>;
    /// Adds `key` as the latest signing key: the key it follows stops signing (is retired) at
    /// `key.signs_from`, when `key` starts.
    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()>;

    /// Records a new scheduled incident; NotFound if its vendor's lifetime (`vendor_uid`) is over.
    /// With `own_request` (a vendor asking for its own chaos), a scheduled incident of the vendor
    /// that has not started by `initiated_at` is cancelled first if the same requester
    /// (`initiated_by`) asked for it, and kept, with a note, if anyone else did. Conflict if the
    /// vendor still has open chaos.
    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        own_request: bool,
    ) -> StoreResult<Recorded>;
    /// Scheduled → active at the incident's start instant, once; true for the caller that did it.
    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool>;
    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool>;
    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()>;
    /// Adds counter deltas, each on its own (a savepoint), so one incident's bad delta never
    /// blocks another's: the ones refused are returned, an error means none was added.
    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<Vec<RejectedDelta>>;
    /// Ends the open incidents of `vendor` (of every vendor with `None`) as `ending` says.
    async fn end_open_incidents(
        &self,
        vendor: Option<&VendorId>,
        ending: &VendorEnding,
    ) -> StoreResult<Vec<EndedIncident>>;
    /// Numbers the next order of an incident across every instance and restart (flaky
    /// `everyNth`), 1-based; NotFound if there is no such incident.
    async fn next_order(&self, incident: Uuid) -> StoreResult<u64>;
    /// Counts a try of a fix code by `client` (an address block) for `vendor` at `now`, whichever
    /// instance it reaches, unless the tries of the last minute already reach the limit: then the
    /// seconds to wait, and nothing is counted. Never the code itself.
    async fn count_fix_code_try(
        &self,
        client: std::net::IpAddr,
        vendor: &VendorId,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<u64>>;
    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>>;
    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>>;
    /// One page of the incidents `filter` matches (`limit` from `offset`, in its order).
    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>>;
    /// How many incidents `filter` matches in all, ignoring its limit and offset.
    async fn incident_count(&self, filter: &IncidentFilter) -> StoreResult<u64>;
    /// Moves a scheduled incident's start from `from` to `to`, with `event`, only while it is
    /// scheduled and still starts at `from`; true if it moved.
    async fn reschedule_incident(
        &self,
        id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        event: &TimelineEvent,
    ) -> StoreResult<bool>;
    /// Sets an ended incident aside, with `event`, unless it is open or voided already; true if done.
    async fn void_incident(&self, id: Uuid, voided: &Voided, event: &TimelineEvent) -> StoreResult<bool>;

    /// The chaos pause, if one is set (it may have ended by now).
    async fn chaos_pause(&self) -> StoreResult<Option<Pause>>;
    /// Sets (replacing any) or lifts the chaos pause.
    async fn set_chaos_pause(&self, pause: Option<&Pause>) -> StoreResult<()>;

    /// Records a new console session (only the hash of its id).
    async fn create_session(&self, session: &AdminSession) -> StoreResult<()>;
    /// The vendor a session signs in, if it was used less than `idle` before `now`; marks it
    /// used at `now`. Sessions idle longer are deleted, this one included.
    async fn touch_session(
        &self,
        id: KeyHash,
        now: DateTime<Utc>,
        idle: chrono::Duration,
    ) -> StoreResult<Option<VendorId>>;
    /// Ends a session (sign-out); nothing happens if there is none.
    async fn end_session(&self, id: KeyHash) -> StoreResult<()>;

    /// Records a new calendar feed (only the hash of its token).
    async fn create_feed(&self, feed: &CalendarFeed) -> StoreResult<()>;
    /// Every calendar feed, oldest first.
    async fn feeds(&self) -> StoreResult<Vec<CalendarFeed>>;
    /// The feed whose token has this hash, found by the hash alone (an indexed equality).
    async fn feed_by_token(&self, token: KeyHash) -> StoreResult<Option<CalendarFeed>>;
    /// Revokes a feed; false if there was none.
    async fn delete_feed(&self, id: Uuid) -> StoreResult<bool>;
    /// Webhooks and their deliveries (`store::webhooks`).
    fn webhooks(&self) -> &dyn WebhookStore;
    /// Up to `limit` events with a seq above `after`, oldest first. Every event of a smaller
    /// seq than the last one returned is committed already: none appears later (see the stores).
    async fn events(&self, after: i64, limit: usize) -> StoreResult<Vec<Event>>;
    /// The highest seq of any event, 0 when there is none.
    async fn latest_event_seq(&self) -> StoreResult<i64>;

    /// Flushes and closes; called once at shutdown.
    async fn close(&self) -> StoreResult<()>;
}

pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
