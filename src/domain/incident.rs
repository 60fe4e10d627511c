//! Incidents: every chaos, from scheduled to its end, with what it cost.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use super::{ChaosMode, ChaosParams, Minute, VendorId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    Scheduled,
    Active,
    Resolved,
    Cancelled,
    Expired,
}

impl IncidentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentState::Scheduled => "scheduled",
            IncidentState::Active => "active",
            IncidentState::Resolved => "resolved",
            IncidentState::Cancelled => "cancelled",
            IncidentState::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            IncidentState::Scheduled,
            IncidentState::Active,
            IncidentState::Resolved,
            IncidentState::Cancelled,
            IncidentState::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    pub fn is_open(self) -> bool {
        matches!(self, IncidentState::Scheduled | IncidentState::Active)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResolvedBy {
    Report,
    Admin,
    Expiry,
}

impl ResolvedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolvedBy::Report => "report",
            ResolvedBy::Admin => "admin",
            ResolvedBy::Expiry => "expiry",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "report" => Some(ResolvedBy::Report),
            "admin" => Some(ResolvedBy::Admin),
            "expiry" => Some(ResolvedBy::Expiry),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub orders_affected: u64,
    pub orders_failed: u64,
    pub lost_revenue: f64,
    /// `lostRevenue` in dollars, rounded to cents; only when `FACTORY_BTC_USD` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_revenue_usd: Option<f64>,
    pub orders_succeeded: u64,
    pub wrong_fix_codes: u64,
    pub seconds_to_resolve: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct TimelineEvent {
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub at: DateTime<Utc>,
    pub kind: String,
    pub detail: String,
}

impl TimelineEvent {
    pub fn new(at: DateTime<Utc>, kind: &str, detail: impl Into<String>) -> Self {
        Self {
            at,
            kind: kind.to_owned(),
            detail: detail.into(),
        }
    }
}

/// An incident as the API shows it. The fix code is deliberately not a field.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    pub id: Uuid,
    pub vendor_id: VendorId,
    /// The lifetime of the vendor it belongs to (`Vendor::uid`); `None` for incidents of a vendor
    /// deleted before lifetimes were recorded.
    #[serde(skip)]
    pub vendor_uid: Option<Uuid>,
    pub mode: ChaosMode,
    pub params: ChaosParams,
    pub state: IncidentState,
    pub initiated_by: String,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub initiated_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub start_at: DateTime<Utc>,
    /// `startAt` in the configured zone, with its offset; set when the incident is presented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_at_local: Option<String>,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub first_failure_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<ResolvedBy>,
    pub max_duration_secs: Option<u64>,
    pub stats: Stats,
    pub timeline: Vec<TimelineEvent>,
    /// Orders per minute while the chaos bit, sorted by `at`.
    pub minutes: Vec<Minute>,
    /// Set aside by an admin (a typo, a test): kept and readable, but out of the default list.
    pub voided: Option<Voided>,
    /// Made by a live drill (`pizza-factory drill --url`): out of the default list too.
    pub drill: bool,
}

/// Who set an incident aside, when, and why.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Voided {
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// A reason an admin gives (a halt, a void): trimmed, 1 to 500 characters, no control characters,
/// since it is shown on timelines, reports and log lines.
pub fn reason(raw: &str) -> Result<String, String> {
    let reason = super::vendor::text_field("reason", raw, 500)?;
    if reason.chars().any(char::is_control) {
        return Err("reason must not contain control characters".into());
    }
    Ok(reason)
}

/// The timeline detail of a chaos that ended by itself, wherever it is recorded.
pub const EXPIRED_DETAIL: &str = "ended by itself after its maximum duration";

/// The timeline detail of a chaos start, wherever it is recorded.
pub fn started_detail(mode: ChaosMode) -> String {
    format!("{mode} chaos began biting orders")
}

impl Incident {
    /// The incident as the API shows it: `startAt` also in the configured zone, and the lost
    /// revenue also in dollars at `btc_usd` dollars per bitcoin (when set).
    pub fn presented(mut self, tz: chrono_tz::Tz, btc_usd: Option<f64>) -> Self {
        self.start_at_local = Some(crate::domain::instant::local(&self.start_at, tz));
        self.stats.lost_revenue_usd = btc_usd.map(|rate| (self.stats.lost_revenue * rate * 100.0).round() / 100.0);
        self
    }

    /// Seconds from the start of chaos to its end, the figure an instructor grades on.
    /// Rounded to the nearest second (half a second rounds up), so stats, report and every
    /// export agree on one figure.
    pub fn seconds_to_resolve(&self) -> Option<i64> {
        Some(whole_seconds(self.started_at?, self.resolved_at?))
    }

    /// Seconds the chaos has lasted by `now`: to its end once it has one, to `now` while it is
    /// active; `None` if it never started. Rounded as `seconds_to_resolve`.
    pub fn seconds_lasted(&self, now: DateTime<Utc>) -> Option<i64> {
        Some(whole_seconds(self.started_at?, self.resolved_at.unwrap_or(now)))
    }
}

/// Seconds from `from` to `to`, to the nearest second (half a second rounds up).
fn whole_seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    ((to - from).num_milliseconds() + 500).div_euclid(1000)
}
