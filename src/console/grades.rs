//! Grades: the grade sheet of a range of days with per-vendor totals, and its downloads.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::page::{self, Chrome, FormError, local};
use super::session::Session;
use crate::chaos::report::words::{duration, money};
use crate::domain::grade::DayRange;
use crate::factory::Factory;
use crate::grades::totals::{self, VendorTotal};
use crate::grades::{self, Grade, RangeQuery};
use crate::routes::grades::{csv_download, markdown_download};

/// The range the page opens on: about a term.
const DEFAULT_DAYS: i64 = 120;

/// One graded incident as a table row.
struct Line {
    id: String,
    start: String,
    vendor: String,
    vendor_id: String,
    mode: String,
    ended: String,
    resolve: String,
    failed: u64,
    lost: String,
    score: String,
}

/// One vendor's totals as a table row.
struct Total {
    vendor: String,
    vendor_id: String,
    incidents: usize,
    mean: String,
    median: String,
    lost: String,
    score: String,
}

#[derive(Template)]
#[template(path = "console/grades.html")]
struct GradesPage {
    chrome: Chrome,
    from: String,
    to: String,
    error: FormError,
    lines: Vec<Line>,
    totals: Vec<Total>,
    /// The query the download links carry.
    query: String,
    rule: String,
}

fn seconds(s: Option<f64>) -> String {
    s.map(|s| duration(s.round() as i64)).unwrap_or_else(|| "–".into())
}

fn line(f: &Factory, g: &Grade) -> Line {
    Line {
        id: g.incident_id.to_string(),
        start: local(g.started_at, f.config.time_zone),
        vendor: g.vendor_name.clone().unwrap_or_else(|| "(deleted)".into()),
        vendor_id: g.vendor_id.to_string(),
        mode: g.mode.to_string(),
        ended: g.resolved_by.map_or("still active", |b| b.as_str()).to_owned(),
        resolve: seconds(g.seconds_to_resolve.map(|s| s as f64)),
        failed: g.orders_failed,
        lost: money(g.lost_revenue, f.config.btc_usd),
        score: format!("{:.1}", g.score),
    }
}

fn total(f: &Factory, t: VendorTotal) -> Total {
    Total {
        vendor: t.vendor_name.unwrap_or_else(|| "(deleted)".into()),
        vendor_id: t.vendor_id.to_string(),
        incidents: t.incidents,
        mean: seconds(t.mean_seconds),
        median: seconds(t.median_seconds),
        lost: money(t.lost_revenue, f.config.btc_usd),
        score: format!("{:.1}", t.mean_score),
    }
}

/// The range asked for; the last `DEFAULT_DAYS` days when the form is not filled in.
fn range(f: &Factory, q: &RangeQuery) -> Result<DayRange, crate::http::ApiError> {
    let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
    if blank(&q.from) && blank(&q.to) {
        return Ok(DayRange::last(DEFAULT_DAYS, grades::today(f)));
    }
    q.range(f)
}

pub async fn page(f: web::Data<Factory>, s: Session, q: web::Query<RangeQuery>) -> HttpResponse {
    let q = q.into_inner();
    let rule = f.config.grade_rule();
    let mut view = GradesPage {
        chrome: Chrome::new(&s, "grades"),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        error: FormError::default(),
        lines: Vec::new(),
        totals: Vec::new(),
        query: String::new(),
        rule: format!(
            "100 − {} per hour from start to resolution (to now while active), never below {}",
            rule.penalty_per_hour, rule.floor
        ),
    };
    let range = match range(&f, &q) {
        Ok(range) => range,
        Err(e) => {
            view.error = FormError::of(&e);
            return page::html(StatusCode::BAD_REQUEST, &view);
        }
    };
    let rows = match grades::sheet(&f, range).await {
        Ok(rows) => rows,
        Err(e) => return page::problem(e),
    };
    view.from = range.from.to_string();
    view.to = range.to.to_string();
    view.query = format!("from={}&to={}", range.from, range.to);
    view.lines = rows.iter().map(|g| line(&f, g)).collect();
    view.totals = totals::by_vendor(&rows).into_iter().map(|t| total(&f, t)).collect();
    page::ok(&view)
}

pub async fn csv(f: web::Data<Factory>, _s: Session, q: web::Query<RangeQuery>) -> HttpResponse {
    match range(&f, &q) {
        Ok(range) => csv_download(&f, range).await.unwrap_or_else(page::problem),
        Err(e) => page::problem(e),
    }
}

pub async fn reports(f: web::Data<Factory>, _s: Session, q: web::Query<RangeQuery>) -> HttpResponse {
    match range(&f, &q) {
        Ok(range) => markdown_download(&f, range).await.unwrap_or_else(page::problem),
        Err(e) => page::problem(e),
    }
}
