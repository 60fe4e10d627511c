//! One incident: its state and figures (live while active), timeline, report and void form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use pulldown_cmark::{Event, Options, Parser};
use serde::Deserialize;

use super::chart;
use super::page::{self, Chrome, FormError, local};
use super::session::Session;
use crate::chaos::{report, scheduler};
use crate::domain::{Incident, IncidentState};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::routes::incidents::{find, void_incident};

/// Markdown to HTML with raw HTML kept as text, then sanitized: vendor-written text in a report
/// never becomes markup or a `javascript:` link.
pub fn report_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    ammonia::clean(&out)
}

/// The figures of one incident that move while it is active.
#[derive(Template)]
#[template(path = "console/incident_live.html")]
pub struct Figures {
    pub state: String,
    pub affected: u64,
    pub failed: u64,
    pub succeeded: u64,
    pub wrong: u64,
    pub lost: String,
    pub resolve: String,
    /// Seconds active so far on the factory's clock (the script ticks it on); -1 when not active.
    pub elapsed: i64,
}

impl Figures {
    fn of(i: &Incident, btc_usd: Option<f64>, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            state: i.state.as_str().to_owned(),
            affected: i.stats.orders_affected,
            failed: i.stats.orders_failed,
            succeeded: i.stats.orders_succeeded,
            wrong: i.stats.wrong_fix_codes,
            lost: report::words::money(i.stats.lost_revenue, btc_usd),
            resolve: i
                .seconds_to_resolve()
                .map(report::words::duration)
                .unwrap_or_else(|| "–".into()),
            elapsed: match (i.state, i.started_at) {
                (IncidentState::Active, Some(t)) => (now - t).num_seconds().max(0),
                _ => -1,
            },
        }
    }
}

#[derive(Template)]
#[template(path = "console/incident.html")]
struct IncidentPage {
    chrome: Chrome,
    id: String,
    vendor: String,
    mode: String,
    initiated: String,
    start: String,
    voided: String,
    open: bool,
    figures: Figures,
    timeline: Vec<(String, String, String)>,
    /// Orders per minute around the incident, as SVG drawn here (empty before it starts).
    chart: String,
    report: String,
    error: FormError,
    reason: String,
}

async fn incident(f: &Factory, raw: &str) -> Result<Incident, ApiError> {
    scheduler::flush_stats(f).await;
    find(f, raw).await
}

async fn render(
    f: &Factory,
    s: &Session,
    raw: &str,
    status: StatusCode,
    error: FormError,
    reason: String,
) -> HttpResponse {
    let i = match incident(f, raw).await {
        Ok(i) => i,
        Err(e) => return page::problem(e),
    };
    let tz = f.config.time_zone;
    let mut chrome = Chrome::new(s, "incidents");
    if i.state.is_open() {
        chrome = chrome.live(format!("/admin/partials/incidents/{}", i.id));
    }
    page::html(
        status,
        &IncidentPage {
            chrome,
            id: i.id.to_string(),
            vendor: i.vendor_id.to_string(),
            mode: i.mode.to_string(),
            initiated: format!("{} by {}", local(i.initiated_at, tz), i.initiated_by),
            start: local(i.started_at.unwrap_or(i.start_at), tz),
            voided: i
                .voided
                .as_ref()
                .map(|v| format!("voided {} by {}: {}", local(v.at, tz), v.by, v.reason))
                .unwrap_or_default(),
            open: i.state.is_open(),
            figures: Figures::of(&i, f.config.btc_usd, f.clock.now()),
            timeline: i
                .timeline
                .iter()
                .map(|e| (local(e.at, tz), e.kind.clone(), e.detail.clone()))
                .collect(),
            chart: chart::incident_window(&i, f.clock.now())
                .map(|window| chart::orders_chart(&i.minutes, window, &chart::incident_markers(&i), tz))
                .unwrap_or_default(),
            report: report_html(&report::render(&i, report::Audience::of(&f.config))),
            error,
            reason,
        },
    )
}

pub async fn page(f: web::Data<Factory>, s: Session, path: web::Path<String>) -> HttpResponse {
    render(&f, &s, &path, StatusCode::OK, FormError::default(), String::new()).await
}

pub async fn partial(f: web::Data<Factory>, _s: Session, path: web::Path<String>) -> HttpResponse {
    match incident(&f, &path).await {
        Ok(i) => page::ok(&Figures::of(&i, f.config.btc_usd, f.clock.now())),
        Err(e) => page::problem(e),
    }
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
}

pub async fn void(
    f: web::Data<Factory>,
    s: Session,
    path: web::Path<String>,
    form: web::Form<VoidForm>,
) -> HttpResponse {
    match void_incident(&f, &path, &form.reason, &s.label()).await {
        Ok(i) => page::see_other(&format!("/admin/incidents/{}", i.id)),
        Err(e) if e.status() == StatusCode::NOT_FOUND => page::problem(e),
        Err(e) => render(&f, &s, &path, e.status(), FormError::of(&e), form.reason.clone()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::report_html;

    #[test]
    fn reports_never_carry_markup_or_script_links() {
        let html =
            report_html("Vendor [win](javascript:alert(1)) and <script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(report_html("# Summary\n\n**bold**").contains("<strong>bold</strong>"));
    }
}
