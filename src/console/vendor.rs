//! One vendor: its chaos scheduled, moved or ended through the API's own rules, and its history.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::incidents::Line;
use super::page::{self, Chrome, FormError, given};
use super::session::Session;
use super::vendors::chaos_words;
use crate::chaos;
use crate::chaos::scheduler;
use crate::domain::{ChaosMode, VendorId};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::http::error::body_naming_field;
use crate::routes::chaos::{AdminChaos, Reschedule, admin_request, chaos_error, move_chaos};
use crate::store::IncidentFilter;

/// A `datetime-local` value read in `tz` (or an RFC 3339 instant as is), as RFC 3339 for the
/// API's own parser.
pub fn local_instant(field: &str, raw: &str, tz: Tz) -> Result<String, ApiError> {
    if chrono::DateTime::parse_from_rfc3339(raw).is_ok() {
        return Ok(raw.to_owned());
    }
    let wrong = || ApiError::bad_request(format!("{field} must be a date and time such as 2026-12-01T09:30"));
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| wrong())?;
    let at = tz.from_local_datetime(&naive).earliest().ok_or_else(wrong)?;
    Ok(page::iso(at.to_utc()))
}

/// The schedule form as typed, kept to show again beside a refusal.
#[derive(Clone, Default, Deserialize)]
pub struct ChaosForm {
    #[serde(default)]
    pub mode: String,
    /// now | at | window
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub tz: String,
    #[serde(default, rename = "maxDurationSecs")]
    pub max_duration_secs: String,
    #[serde(default, rename = "delayMs")]
    pub delay_ms: String,
    #[serde(default)]
    pub probability: String,
    #[serde(default, rename = "everyNth")]
    pub every_nth: String,
}

/// A number field as JSON, so the API's own parser checks it and names the field.
fn number(field: &str, raw: &str) -> Result<Option<Value>, ApiError> {
    given(raw)
        .map(|v| {
            serde_json::from_str::<serde_json::Number>(&v)
                .map(Value::Number)
                .map_err(|_| ApiError::bad_request(format!("{field} must be a number")))
        })
        .transpose()
}

impl ChaosForm {
    /// The start as the API body has it: `start`, or `window`, or neither.
    fn start(&self, tz: Tz) -> Result<(Option<String>, Option<Value>), ApiError> {
        Ok(match self.start.as_str() {
            "now" | "" => (Some("now".into()), None),
            "at" => (Some(local_instant("start", self.at.trim(), tz)?), None),
            _ => {
                let mut w = Map::new();
                for (k, v) in [
                    ("date", &self.date),
                    ("from", &self.from),
                    ("to", &self.to),
                    ("tz", &self.tz),
                ] {
                    if let Some(v) = given(v) {
                        w.insert(k.into(), Value::String(v));
                    }
                }
                (None, Some(Value::Object(w)))
            }
        })
    }

    /// The API's body for this form; every rule is the API's.
    fn body(&self, tz: Tz) -> Result<AdminChaos, ApiError> {
        let (start, window) = self.start(tz)?;
        let mut params = Map::new();
        for (k, raw) in [
            ("delayMs", &self.delay_ms),
            ("probability", &self.probability),
            ("everyNth", &self.every_nth),
        ] {
            if let Some(v) = number(&format!("params.{k}"), raw)? {
                params.insert(k.into(), v);
            }
        }
        let mut body = json!({ "mode": self.mode, "params": params });
        if let Some(s) = start {
            body["start"] = Value::String(s);
        }
        if let Some(w) = window {
            body["window"] = w;
        }
        if let Some(m) = number("maxDurationSecs", &self.max_duration_secs)? {
            body["maxDurationSecs"] = m;
        }
        body_naming_field(body)
    }
}

#[derive(Template)]
#[template(path = "console/vendor.html")]
struct VendorPage {
    chrome: Chrome,
    id: String,
    name: String,
    email: String,
    chaos: String,
    scheduled: bool,
    open: bool,
    modes: Vec<&'static str>,
    form: ChaosForm,
    error: FormError,
    move_error: String,
    history: Vec<Line>,
    /// The factory's blackout dates, where chaos is scheduled.
    blackout: String,
}

async fn render(
    f: &Factory,
    s: &Session,
    raw: &str,
    status: StatusCode,
    form: ChaosForm,
    error: FormError,
    move_error: String,
) -> HttpResponse {
    let Some(entry) = VendorId::parse(raw).ok().and_then(|id| f.directory.by_id(&id)) else {
        return page::problem(ApiError::not_found(format!("vendor {raw} not found")));
    };
    let now = f.clock.now();
    if let Some(live) = entry.chaos.clone()
        && let Err(e) = scheduler::settle_chaos(f, &live, now).await
    {
        return page::problem(e.into());
    }
    // The history's figures include the orders answered a moment ago.
    scheduler::flush_stats(f).await;
    let entry = f.directory.by_id(&entry.vendor.id).unwrap_or(entry);
    let history = match f
        .store
        .incidents(&IncidentFilter {
            vendor: Some(entry.vendor.id.clone()),
            vendor_uid: Some(entry.vendor.uid),
            limit: 1000,
            include_voided: true,
            summaries: true,
            ..IncidentFilter::default()
        })
        .await
    {
        Ok(list) => list.iter().map(|i| Line::of(i, f.config.time_zone)).collect(),
        Err(e) => return page::problem(e.into()),
    };
    let form = ChaosForm {
        tz: if form.tz.is_empty() {
            f.config.time_zone.name().to_owned()
        } else {
            form.tz.clone()
        },
        ..form
    };
    let mut chrome = Chrome::new(s, "vendors");
    if entry.chaos.is_some() {
        chrome = chrome.live(format!("/admin/partials/overview?vendor={}", entry.vendor.id));
    }
    page::html(
        status,
        &VendorPage {
            chrome,
            id: entry.vendor.id.to_string(),
            name: entry.vendor.name.clone(),
            email: entry.vendor.email.clone().unwrap_or_default(),
            chaos: chaos_words(f, &entry, now),
            scheduled: entry.chaos.as_ref().is_some_and(|c| !c.is_due(now)),
            open: entry.chaos.is_some(),
            modes: ChaosMode::ALL.iter().map(|m| m.as_str()).collect(),
            form,
            error,
            move_error,
            history,
            blackout: f.blackout().describe(),
        },
    )
}

pub async fn page(f: web::Data<Factory>, s: Session, path: web::Path<String>) -> HttpResponse {
    render(
        &f,
        &s,
        &path,
        StatusCode::OK,
        ChaosForm::default(),
        FormError::default(),
        String::new(),
    )
    .await
}

pub async fn schedule(
    f: web::Data<Factory>,
    s: Session,
    path: web::Path<String>,
    form: web::Form<ChaosForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let done = async {
        let id =
            VendorId::parse(&path).map_err(|_| ApiError::not_found(format!("vendor {} not found", path.as_str())))?;
        let request = admin_request(&f, form.body(f.config.time_zone)?)?;
        chaos::schedule(&f, &id, request, s.label()).await.map_err(chaos_error)
    }
    .await;
    match done {
        Ok(_) => page::see_other(&format!("/admin/vendors/{}", path.as_str())),
        Err(e) => render(&f, &s, &path, e.status(), form, FormError::of(&e), String::new()).await,
    }
}

pub async fn end(f: web::Data<Factory>, s: Session, path: web::Path<String>) -> HttpResponse {
    let done = async {
        let id =
            VendorId::parse(&path).map_err(|_| ApiError::not_found(format!("vendor {} not found", path.as_str())))?;
        chaos::end(&f, &id, &s.label(), None).await.map_err(chaos_error)
    }
    .await;
    match done {
        Ok(_) => page::see_other(&format!("/admin/vendors/{}", path.as_str())),
        Err(e) => page::problem(e),
    }
}

pub async fn reschedule(
    f: web::Data<Factory>,
    s: Session,
    path: web::Path<String>,
    form: web::Form<ChaosForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let done = async {
        let (start, window) = form.start(f.config.time_zone)?;
        let body = json!({ "start": start, "window": window });
        let body: Reschedule = body_naming_field(body)?;
        move_chaos(&f, &path, body, &s.label()).await
    }
    .await;
    match done {
        Ok(_) => page::see_other(&format!("/admin/vendors/{}", path.as_str())),
        Err(e) => {
            render(
                &f,
                &s,
                &path,
                e.status(),
                ChaosForm::default(),
                FormError::default(),
                e.message().to_owned(),
            )
            .await
        }
    }
}
