//! Persistence behind one trait: SQLite embedded by default, PostgreSQL for several instances.

mod metered;
mod postgres;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::domain::{FixCode, Incident, IncidentState, KeyHash, ResolvedBy, TimelineEvent, Vendor, VendorId};
use crate::tickets::StoredKey;

pub use metered::MeteredStore;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule said no: the id is taken, or the vendor already has open chaos.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A chaos that is scheduled or active, with what the order path needs to apply it.
#[derive(Clone, Debug)]
pub struct OpenIncident {
    pub incident: Incident,
    pub fix_code: FixCode,
}

/// A state change of an incident, applied only if it is in one of `from`.
#[derive(Clone, Debug)]
pub struct Transition {
    pub to: IncidentState,
    pub from: Vec<IncidentState>,
    pub at: DateTime<Utc>,
    pub resolved_by: Option<ResolvedBy>,
    pub event: TimelineEvent,
}

/// Counters gathered in memory since the last flush, added to the stored ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsDelta {
    pub incident: Uuid,
    pub affected: u64,
    pub failed: u64,
    pub succeeded: u64,
    pub lost_revenue: f64,
    pub wrong_fix_codes: u64,
    pub first_failure_at: Option<DateTime<Utc>>,
}

impl StatsDelta {
    pub fn is_empty(&self) -> bool {
        self.affected == 0
            && self.failed == 0
            && self.succeeded == 0
            && self.wrong_fix_codes == 0
            && self.first_failure_at.is_none()
    }
}

#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    pub vendor: Option<VendorId>,
    pub states: Vec<IncidentState>,
    pub limit: usize,
}

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
    /// Every vendor with the hashes of the keys that authenticate it.
    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>>;
    async fn update_vendor(&self, vendor: &Vendor) -> StoreResult<bool>;
    async fn delete_vendor(&self, id: &VendorId) -> StoreResult<bool>;
    /// Replaces every key of the vendor with `key`.
    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Adds a key beside the existing ones; nothing happens if it is already there.
    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()>;

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>>;
    /// Adds `key` as the latest signing key: the key it follows stops signing (is retired) at
    /// `key.signs_from`, when `key` starts.
    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()>;

    /// Records a new scheduled incident. With `replace_scheduled_after`, a scheduled incident of
    /// the vendor that has not started by then is cancelled first (a vendor's own request).
    /// Conflict if the vendor still has open chaos.
    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        replace_scheduled_after: Option<DateTime<Utc>>,
    ) -> StoreResult<Option<Uuid>>;
    /// Scheduled → active at the incident's start instant, once; true for the caller that did it.
    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool>;
    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool>;
    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()>;
    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<()>;
    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>>;
    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>>;
    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>>;

    /// Flushes and closes; called once at shutdown.
    async fn close(&self) -> StoreResult<()>;
}

pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
