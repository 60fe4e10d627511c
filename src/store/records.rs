//! What the store takes and gives besides the domain's own types: errors, changes, deltas,
//! filters and the rows of sessions, feeds and key lookups; and the SQL both stores share.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{
    FixCode, Incident, IncidentState, KeyHash, MinuteCount, ResolvedBy, TimelineEvent, Vendor, VendorId,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule said no: the id is taken, or the vendor already has open chaos.
    #[error("conflict: {0}")]
    Conflict(String),
    /// What the write was about is gone (a vendor deleted meanwhile).
    #[error("not found: {0}")]
    NotFound(String),
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
    /// Ended by the kill switch: its event is `chaos.halted` (the timeline keeps `event.kind`).
    pub halted: bool,
}

/// Counters gathered in memory since the last flush, added to the stored ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsDelta {
    pub incident: Uuid,
    pub affected: u64,
    pub failed: u64,
    pub succeeded: u64,
    pub lost_satoshi: u64,
    pub wrong_fix_codes: u64,
    pub first_failure_at: Option<DateTime<Utc>>,
    /// Orders per minute and answer status, added to the stored ones of the same minute.
    pub minutes: Vec<MinuteCount>,
}

impl StatsDelta {
    pub fn is_empty(&self) -> bool {
        self.affected == 0
            && self.failed == 0
            && self.succeeded == 0
            && self.wrong_fix_codes == 0
            && self.first_failure_at.is_none()
            && self.minutes.is_empty()
    }
}

/// What recording a new chaos did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Recorded {
    /// The incident is stored; `replaced` is the requester's own earlier one it cancelled.
    New { replaced: Option<Uuid> },
    /// A vendor's own request met a scheduled chaos someone else asked for: that one is kept,
    /// with a note on its timeline, and nothing new is stored.
    Kept(Uuid),
}

/// The timeline note a kept incident gets when its vendor asks for chaos of its own.
pub(crate) fn kept_note(incident: &Incident) -> TimelineEvent {
    TimelineEvent::new(
        incident.initiated_at,
        "vendor_request",
        format!(
            "{} asked for {} chaos of its own; this incident was kept",
            incident.initiated_by, incident.mode
        ),
    )
}

/// A delta the store refused for its incident alone; the others of the batch were added.
#[derive(Debug)]
pub struct RejectedDelta {
    pub delta: StatsDelta,
    pub reason: String,
}

/// A count as the stores keep it (BIGINT): saturated rather than wrapped.
pub(crate) fn stored_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Adds `delta` to a stored counter column without overflow, in either store's SQL: the sum
/// sticks at the largest BIGINT. `param` is the placeholder of a value from `stored_count`.
pub(crate) fn saturating_add_sql(column: &str, param: &str) -> String {
    saturating_sum_sql(column, column, param)
}

/// The same in an upsert's `DO UPDATE` (`INSERT ... ON CONFLICT`): the stored value of `column`
/// of `table` plus the one the insert proposed. PostgreSQL wants both named, or it finds the
/// bare column name ambiguous.
pub(crate) fn saturating_upsert_sql(table: &str, column: &str) -> String {
    saturating_sum_sql(column, &format!("{table}.{column}"), &format!("excluded.{column}"))
}

fn saturating_sum_sql(target: &str, stored: &str, delta: &str) -> String {
    format!(
        "{target} = CASE WHEN {stored} > 9223372036854775807 - {delta} THEN 9223372036854775807 ELSE {stored} + {delta} END"
    )
}

/// How open incidents end (a vendor's deletion, an admin's end, a halt), decided by the store from
/// their stored state in one transaction, never from one instance's view of them: a scheduled
/// chaos whose start has come (and no pause set before `at` held it back) has been biting, so it
/// is recorded as started and then resolved like an active one; one past its maximum duration
/// expired at the end of it; the other scheduled ones are cancelled.
#[derive(Clone, Debug)]
pub struct VendorEnding {
    pub at: DateTime<Utc>,
    /// Whether a chaos that has not started is cancelled too (a halt may leave it scheduled).
    pub cancel_scheduled: bool,
    pub cancelled: TimelineEvent,
    pub resolved: TimelineEvent,
    /// Ended by the kill switch: the events of its endings are `chaos.halted`.
    pub halted: bool,
}

/// An incident a vendor's deletion, an admin's end or a halt ended.
#[derive(Clone, Debug, PartialEq)]
pub struct EndedIncident {
    pub id: Uuid,
    /// Cancelled, resolved, or expired (its maximum duration had passed: it ended by itself).
    pub state: IncidentState,
    pub start_at: DateTime<Utc>,
    /// When it ended: the end instant asked for, or an expired one's end of maximum duration.
    pub at: DateTime<Utc>,
}

/// A vendor found by one of its API keys, with all its keys and the store's change version then.
#[derive(Clone, Debug)]
pub struct KeyOwner {
    pub vendor: Vendor,
    pub keys: Vec<KeyHash>,
    pub version: i64,
}

/// One vendor as a reload reads it (`Store::vendor_state`).
#[derive(Clone, Debug)]
pub struct VendorState {
    pub vendor: Option<(Vendor, Vec<KeyHash>)>,
    pub chaos: Option<OpenIncident>,
}

/// A signed-in instructor's console session, as stored: the hash of its id, never the id.
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub id: KeyHash,
    pub vendor: VendorId,
    pub at: DateTime<Utc>,
}

/// A calendar feed as stored: the hash of its URL token, never the token.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarFeed {
    pub id: Uuid,
    pub token: KeyHash,
    pub created: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Clone, Debug, Default)]
pub struct IncidentFilter {
    pub vendor: Option<VendorId>,
    /// Only the incidents of this lifetime of the vendor (`Vendor::uid`).
    pub vendor_uid: Option<Uuid>,
    pub states: Vec<IncidentState>,
    /// Only incidents of this chaos mode.
    pub mode: Option<crate::domain::ChaosMode>,
    pub limit: usize,
    /// How many of the matching incidents to pass over first (paging).
    pub offset: usize,
    /// Soonest `startAt` first (a schedule), instead of newest `initiatedAt` first.
    pub by_start: bool,
    /// Also voided and drill incidents, which a default list leaves out.
    pub include_voided: bool,
    /// Only the incident rows, without timelines and per-minute counts: for tables of many.
    pub summaries: bool,
    /// Only incidents whose chaos started in `[from, to)`.
    pub started: Option<(DateTime<Utc>, DateTime<Utc>)>,
}
