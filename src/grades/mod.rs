//! Grade sheets: one row per incident that became active in a range of days, scored by the
//! configured rule, for the JSON and CSV answers, the reports archive and the console page.

pub mod archive;
pub mod totals;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chaos::scheduler;
use crate::domain::grade::{DayRange, GradeRule};
use crate::domain::{ChaosMode, Incident, IncidentState, ResolvedBy, VendorId};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::store::IncidentFilter;

/// The query of every grade answer: days in the configured zone, both included, on `startedAt`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day, YYYY-MM-DD (default: a year before `to`).
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today); at most 366 days after `from`.
    #[serde(default)]
    pub to: Option<String>,
}

impl RangeQuery {
    /// The range asked for, today being the configured zone's; an empty field is an absent one.
    pub fn range(&self, f: &Factory) -> Result<DayRange, ApiError> {
        DayRange::parse(given(&self.from), given(&self.to), today(f)).map_err(ApiError::bad_request)
    }
}

/// An empty field (a form sent as is) is an absent one.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Today's date in the configured zone, by the injected clock.
pub fn today(f: &Factory) -> chrono::NaiveDate {
    f.clock.now().with_timezone(&f.config.time_zone).date_naive()
}

/// One graded incident. The CSV's columns are these fields, in this order (`COLUMNS`).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Grade {
    pub vendor_id: VendorId,
    /// `null` when the vendor has been deleted since.
    pub vendor_name: Option<String>,
    pub incident_id: Uuid,
    pub mode: ChaosMode,
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub started_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::domain::instant::ms_opt")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<ResolvedBy>,
    /// `null` while the chaos is active.
    pub seconds_to_resolve: Option<i64>,
    pub orders_failed: u64,
    /// In ₿, as the incident's `stats.lostRevenue`.
    pub lost_revenue: f64,
    /// By the configured rule, from `startedAt` to `resolvedAt` (to now while active).
    pub score: f64,
}

/// The CSV header: `Grade`'s JSON names in order (a unit test holds them together).
pub const COLUMNS: [&str; 11] = [
    "vendorId",
    "vendorName",
    "incidentId",
    "mode",
    "startedAt",
    "resolvedAt",
    "resolvedBy",
    "secondsToResolve",
    "ordersFailed",
    "lostRevenue",
    "score",
];

impl Grade {
    /// The row of `incident`, which has started; `None` for one that has not.
    pub fn of(incident: &Incident, vendor_name: Option<String>, rule: GradeRule, now: DateTime<Utc>) -> Option<Self> {
        Some(Self {
            vendor_id: incident.vendor_id.clone(),
            vendor_name,
            incident_id: incident.id,
            mode: incident.mode,
            started_at: incident.started_at?,
            resolved_at: incident.resolved_at,
            resolved_by: incident.resolved_by,
            seconds_to_resolve: incident.stats.seconds_to_resolve,
            orders_failed: incident.stats.orders_failed,
            lost_revenue: incident.stats.lost_revenue,
            score: rule.score(incident.seconds_lasted(now)?),
        })
    }

    /// The row as CSV cells, each the text of its JSON value (`null` is an empty cell), so the
    /// CSV says exactly what the JSON says.
    pub fn cells(&self) -> Vec<String> {
        let json = serde_json::to_value(self).unwrap_or_default();
        COLUMNS
            .iter()
            .map(|c| match &json[*c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    }
}

/// Incidents fetched a page at a time: a term holds thousands.
const PAGE: usize = 200;

/// The incidents that became active in `range`, neither voided nor drills, page by page in the
/// store's order (soonest `startAt` first). With `summaries`, without timelines.
pub struct Pages<'a> {
    f: &'a Factory,
    filter: IncidentFilter,
    done: bool,
}

impl<'a> Pages<'a> {
    /// Settles due chaos and writes the counters gathered in memory first, so the figures are
    /// today's.
    pub async fn of(f: &'a Factory, range: DayRange, summaries: bool) -> Result<Pages<'a>, ApiError> {
        scheduler::settle(f, f.clock.now()).await?;
        scheduler::flush_stats(f).await;
        let started = range.instants(f.config.time_zone).map_err(ApiError::bad_request)?;
        let filter = IncidentFilter {
            states: vec![IncidentState::Active, IncidentState::Resolved, IncidentState::Expired],
            limit: PAGE,
            by_start: true,
            summaries,
            started: Some(started),
            ..IncidentFilter::default()
        };
        Ok(Pages { f, filter, done: false })
    }

    pub async fn next(&mut self) -> Result<Option<Vec<Incident>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let page = self.f.store.incidents(&self.filter).await?;
        self.done = page.len() < PAGE;
        self.filter.offset += page.len();
        Ok((!page.is_empty()).then_some(page))
    }
}

/// The name of the vendor an incident belongs to, if that vendor (that lifetime of its id)
/// still exists.
pub fn vendor_name(f: &Factory, incident: &Incident) -> Option<String> {
    let entry = f.directory.by_id(&incident.vendor_id)?;
    incident
        .vendor_uid
        .is_none_or(|uid| uid == entry.vendor.uid)
        .then(|| entry.vendor.name.clone())
}

/// The grade sheet of `range`, ordered by `startedAt`.
pub async fn sheet(f: &Factory, range: DayRange) -> Result<Vec<Grade>, ApiError> {
    let (rule, now) = (f.config.grade_rule(), f.clock.now());
    let mut pages = Pages::of(f, range, true).await?;
    let mut rows = Vec::new();
    while let Some(page) = pages.next().await? {
        rows.extend(page.iter().filter_map(|i| Grade::of(i, vendor_name(f, i), rule, now)));
    }
    rows.sort_by_key(|g| g.started_at);
    Ok(rows)
}

/// The download name of a range's sheet: `grades-2026-09-01-2026-12-31.csv`.
pub fn file_name(stem: &str, range: DayRange, ext: &str) -> String {
    format!("{stem}-{}-{}.{ext}", range.from, range.to)
}

#[cfg(test)]
mod tests;
