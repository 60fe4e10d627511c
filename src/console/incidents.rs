//! Incidents: the filterable, sortable, paged list.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::page::{self, Chrome, local};
use super::session::Session;
use crate::chaos::{report, scheduler};
use crate::domain::{ChaosMode, Incident, IncidentState, VendorId};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::store::IncidentFilter;

const PER_PAGE: usize = 50;

/// One incident as a table row.
pub struct Line {
    pub id: String,
    pub vendor: String,
    pub mode: String,
    pub state: String,
    pub start: String,
    pub failed: u64,
    pub resolve: String,
    pub voided: bool,
}

impl Line {
    pub fn of(i: &Incident, tz: Tz) -> Self {
        Self {
            id: i.id.to_string(),
            vendor: i.vendor_id.to_string(),
            mode: i.mode.to_string(),
            state: i.state.as_str().to_owned(),
            start: local(i.started_at.unwrap_or(i.start_at), tz),
            failed: i.stats.orders_failed,
            resolve: i
                .seconds_to_resolve()
                .map(report::words::duration)
                .unwrap_or_else(|| "–".into()),
            voided: i.voided.is_some() || i.drill,
        }
    }
}

#[derive(Clone, Default, Deserialize)]
pub struct Query {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<usize>,
    #[serde(default)]
    pub all: Option<String>,
}

#[derive(Template)]
#[template(path = "console/incidents.html")]
struct List {
    chrome: Chrome,
    q: Query,
    states: Vec<&'static str>,
    modes: Vec<&'static str>,
    lines: Vec<Line>,
    total: usize,
    page: usize,
    pages: usize,
    prev: String,
    next: String,
}

fn bad(field: &str, why: &str) -> ApiError {
    ApiError::bad_request(format!("{field}: {why}"))
}

fn date(field: &str, raw: &str) -> Result<Option<NaiveDate>, ApiError> {
    page::given(raw)
        .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| bad(field, "use YYYY-MM-DD")))
        .transpose()
}

/// One page of the matching incidents, sorted, and how many match in all. Filters and orders
/// the store knows are paged there; a mode, a date range or another order needs every row.
async fn matching(f: &Factory, q: &Query, page_no: usize) -> Result<(Vec<Incident>, usize), ApiError> {
    let vendor = page::given(&q.vendor)
        .map(|v| VendorId::parse(&v).map_err(|e| bad("vendor", &e)))
        .transpose()?;
    let states = match page::given(&q.state) {
        Some(s) => vec![IncidentState::parse(&s).ok_or_else(|| bad("state", "unknown state"))?],
        None => Vec::new(),
    };
    let mode = page::given(&q.mode)
        .map(|m| ChaosMode::parse(&m).ok_or_else(|| bad("mode", "unknown mode")))
        .transpose()?;
    let (from, to) = (date("from", &q.from)?, date("to", &q.to)?);
    scheduler::settle(f, f.clock.now()).await?;
    let tz = f.config.time_zone;
    let mut filter = IncidentFilter {
        vendor,
        states,
        mode,
        limit: 1_000_000,
        include_voided: q.all.is_some(),
        by_start: q.sort == "start",
        summaries: true,
        ..IncidentFilter::default()
    };
    let in_store = from.is_none() && to.is_none() && matches!(q.sort.as_str(), "" | "start");
    if in_store {
        let total = f.store.incident_count(&filter).await? as usize;
        filter.limit = PER_PAGE;
        filter.offset = (page_no.clamp(1, total.div_ceil(PER_PAGE).max(1)) - 1) * PER_PAGE;
        return Ok((f.store.incidents(&filter).await?, total));
    }
    let mut found = f.store.incidents(&filter).await?;
    found.retain(|i| {
        let day = i.started_at.unwrap_or(i.start_at).with_timezone(&tz).date_naive();
        from.is_none_or(|d| day >= d) && to.is_none_or(|d| day <= d)
    });
    match q.sort.as_str() {
        "failed" => found.sort_by_key(|i| std::cmp::Reverse(i.stats.orders_failed)),
        "vendor" => found.sort_by(|a, b| a.vendor_id.as_str().cmp(b.vendor_id.as_str())),
        _ => {}
    }
    let total = found.len();
    let first = (page_no.clamp(1, total.div_ceil(PER_PAGE).max(1)) - 1) * PER_PAGE;
    Ok((found.into_iter().skip(first).take(PER_PAGE).collect(), total))
}

fn page_link(q: &Query, page: usize) -> String {
    let mut q = q.clone();
    q.page = Some(page);
    let pairs = [
        ("state", q.state),
        ("mode", q.mode),
        ("vendor", q.vendor),
        ("from", q.from),
        ("to", q.to),
        ("sort", q.sort),
        ("all", q.all.unwrap_or_default()),
        ("page", page.to_string()),
    ];
    let kept: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    format!(
        "/admin/incidents?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

pub async fn list(f: web::Data<Factory>, s: Session, q: web::Query<Query>) -> HttpResponse {
    let q = q.into_inner();
    let asked = q.page.unwrap_or(1);
    let (found, total) = match matching(&f, &q, asked).await {
        Ok(found) => found,
        Err(e) => return page::problem(e),
    };
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = asked.clamp(1, pages);
    let lines = found.iter().map(|i| Line::of(i, f.config.time_zone)).collect();
    page::ok(&List {
        chrome: Chrome::new(&s, "incidents"),
        prev: if page_no > 1 {
            page_link(&q, page_no - 1)
        } else {
            String::new()
        },
        next: if page_no < pages {
            page_link(&q, page_no + 1)
        } else {
            String::new()
        },
        q,
        states: ["scheduled", "active", "resolved", "cancelled", "expired"].to_vec(),
        modes: ChaosMode::ALL.iter().map(|m| m.as_str()).collect(),
        lines,
        total,
        page: page_no,
        pages,
    })
}
