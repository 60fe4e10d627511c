//! The overview: the class at a glance, the active incidents ticking live, halt and resume.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::page::{self, Chrome, FormError, given, local};
use super::session::Session;
use super::sign_in;
use crate::chaos::{pause, scheduler};
use crate::domain::IncidentState;
use crate::factory::Factory;
use crate::http::ApiError;
use crate::routes::pause::{Halt, halt_all};
use crate::store::IncidentFilter;

pub struct ActiveRow {
    pub vendor: String,
    pub incident: String,
    pub mode: String,
    pub since_local: String,
    /// Seconds since it started on the factory's clock; the script ticks it on.
    pub elapsed: i64,
    pub failed: u64,
}

#[derive(Template)]
#[template(path = "console/overview_live.html")]
pub struct Live {
    pub vendors: usize,
    pub scheduled: usize,
    pub active: Vec<ActiveRow>,
    pub resolved_24h: usize,
    pub paused: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct Overview {
    chrome: Chrome,
    live: Live,
    error: FormError,
    reason: String,
    until: String,
}

async fn live(f: &Factory) -> Result<Live, ApiError> {
    let now = f.clock.now();
    scheduler::settle(f, now).await?;
    scheduler::flush_stats(f).await;
    let vendors = f.directory.all();
    let tz = f.config.time_zone;
    let mut active = Vec::new();
    let mut scheduled = 0;
    for e in &vendors {
        let Some(c) = &e.chaos else { continue };
        if !c.is_due(now) {
            scheduled += 1;
            continue;
        }
        let failed = f
            .store
            .incident(c.incident_id)
            .await?
            .map_or(0, |i| i.stats.orders_failed);
        active.push(ActiveRow {
            vendor: e.vendor.id.to_string(),
            incident: c.incident_id.to_string(),
            mode: c.mode.to_string(),
            since_local: local(c.start_at, tz),
            elapsed: (now - c.start_at).num_seconds().max(0),
            failed,
        });
    }
    let resolved = f
        .store
        .incidents(&IncidentFilter {
            states: vec![IncidentState::Resolved],
            limit: 1000,
            summaries: true,
            ..IncidentFilter::default()
        })
        .await?;
    let day_ago = now - Duration::hours(24);
    let paused = match pause::current(f).await? {
        Some(p) if p.until > now => format!("Chaos is paused until {} ({})", local(p.until, tz), p.reason),
        _ => String::new(),
    };
    Ok(Live {
        vendors: vendors.len(),
        scheduled,
        active,
        resolved_24h: resolved
            .iter()
            .filter(|i| i.resolved_at.is_some_and(|t| t > day_ago))
            .count(),
        paused,
    })
}

fn overview(f: &Factory, s: &Session, live: Live, error: FormError, form: Option<&HaltForm>) -> Overview {
    let _ = f;
    Overview {
        chrome: Chrome::new(s, "overview").live("/admin/partials/overview".into()),
        live,
        error,
        reason: form.map(|h| h.reason.clone()).unwrap_or_default(),
        until: form.map(|h| h.until.clone()).unwrap_or_default(),
    }
}

/// `GET /admin`: the overview, or the sign-in form without a session.
pub async fn page(f: web::Data<Factory>, session: Option<Session>) -> HttpResponse {
    let Some(s) = session else {
        return sign_in::form(StatusCode::OK, "");
    };
    match live(&f).await {
        Ok(live) => page::ok(&overview(&f, &s, live, FormError::default(), None)),
        Err(e) => page::problem(e),
    }
}

pub async fn partial(f: web::Data<Factory>, _s: Session) -> HttpResponse {
    match live(&f).await {
        Ok(live) => page::ok(&live),
        Err(e) => page::problem(e),
    }
}

#[derive(Deserialize)]
pub struct HaltForm {
    #[serde(default)]
    reason: String,
    /// A local date and time (`datetime-local`) in the configured zone, or empty.
    #[serde(default)]
    until: String,
    #[serde(default)]
    cancel_scheduled: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn halt(f: web::Data<Factory>, s: Session, form: web::Form<HaltForm>) -> HttpResponse {
    let form = form.into_inner();
    let result = async {
        if form.confirm.is_none() {
            return Err(ApiError::bad_request("confirm: tick the box to confirm the halt"));
        }
        let until = given(&form.until)
            .map(|t| super::vendor::local_instant("until", &t, f.config.time_zone))
            .transpose()?;
        let body = Halt {
            reason: form.reason.clone(),
            until,
            cancel_scheduled: Some(form.cancel_scheduled.is_some()),
        };
        halt_all(&f, body, &s.label()).await
    }
    .await;
    match result {
        Ok(_) => page::see_other("/admin"),
        Err(e) => match live(&f).await {
            Ok(live) => page::html(e.status(), &overview(&f, &s, live, FormError::of(&e), Some(&form))),
            Err(e) => page::problem(e),
        },
    }
}

pub async fn resume(f: web::Data<Factory>, s: Session) -> HttpResponse {
    match pause::resume(&f, &s.label()).await {
        Ok(()) => page::see_other("/admin"),
        Err(e) => page::problem(e.into()),
    }
}
