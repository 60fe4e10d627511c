//! Chaos routes: a vendor's own request, admin scheduling, moving and ending.

use actix_web::{HttpResponse, web};
use chrono::DateTime;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

pub use super::refusals::chaos_error;
use crate::chaos::{self, ChaosRequest, Start};
use crate::domain::window::{next_day, parse_date, parse_time, parse_tz};
use crate::domain::{ChaosMode, ChaosParams, ChaosWindow, Incident, VendorId};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError, VendorCaller};

/// The configured daily window on the day after `now`.
fn default_window(f: &Factory) -> ChaosWindow {
    let (from, to) = f.config.chaos_window;
    let tz = f.config.time_zone;
    ChaosWindow {
        from,
        to,
        tz,
        date: next_day(tz, f.clock.now()),
    }
}

/// How long a vendor's own request takes to answer, at least. Replacing the vendor's own chaos
/// costs the store more round trips than keeping an admin's; answering both no sooner than this
/// (a pace on the wire, not domain time, so the wall clock) keeps the timing from telling them apart.
const OWN_REQUEST_PACE: std::time::Duration = std::time::Duration::from_millis(50);

/// `PUT /api/vendor/chaos/{mode}` (compat): chaos at a random moment of tomorrow's window.
pub async fn vendor_request(
    f: web::Data<Factory>,
    caller: VendorCaller,
    mode: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let answer_at = tokio::time::Instant::now() + OWN_REQUEST_PACE;
    let answer = own_request(f, caller, mode).await;
    tokio::time::sleep_until(answer_at).await;
    answer
}

async fn own_request(
    f: web::Data<Factory>,
    caller: VendorCaller,
    mode: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !f.config.vendor_self_chaos {
        // Before anything else, so the answer is the same whatever is scheduled.
        return Err(ApiError::forbidden("self-requested chaos is off for this class"));
    }
    let mode = ChaosMode::parse(&mode).ok_or_else(|| ApiError::bad_request("Invalid chaos type"))?;
    let request = ChaosRequest {
        mode,
        params: ChaosParams::default(),
        start: Start::Window(default_window(&f)),
        max_duration_secs: None,
        drill: false,
    };
    chaos::request_own(&f, &caller.0.vendor.id, request)
        .await
        .map_err(chaos_error)?;
    Ok(HttpResponse::Ok().json(json!({"message": "Chaos initiated"})))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// Local time of day, HH:MM.
    #[schemars(with = "Option<super::schemas::ClockTime>")]
    pub(crate) from: Option<String>,
    #[schemars(with = "Option<super::schemas::ClockTime>")]
    pub(crate) to: Option<String>,
    /// IANA time zone, such as America/Denver.
    #[schemars(with = "Option<super::schemas::TimeZoneName>")]
    pub(crate) tz: Option<String>,
    /// YYYY-MM-DD.
    #[schemars(with = "Option<super::schemas::Date>")]
    pub(crate) date: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminChaos {
    #[schemars(with = "ChaosMode")]
    pub(crate) mode: String,
    /// "now" or an RFC 3339 instant; omitted means a random moment of the window.
    #[schemars(with = "Option<super::schemas::Start>")]
    pub(crate) start: Option<String>,
    pub(crate) window: Option<WindowBody>,
    pub(crate) params: Option<ChaosParams>,
    /// Seconds the chaos lasts at most, 1 to 2,592,000 (30 days).
    #[schemars(range(min = 1, max = 2_592_000))]
    pub(crate) max_duration_secs: Option<u64>,
    /// Marks the incident as made by a live drill (`pizza-factory drill --url`): flagged, and
    /// left out of the default incident list.
    pub(crate) drill: Option<bool>,
}

/// Reads an admin's chaos body into a request; every field is checked with a precise message.
pub fn admin_request(f: &Factory, body: AdminChaos) -> Result<ChaosRequest, ApiError> {
    let mode = ChaosMode::parse(&body.mode).ok_or_else(|| {
        ApiError::bad_request(format!(
            "mode: unknown chaos mode {:?}; use one of fail, throttle, badjwt, flaky, expiredjwt, overload",
            body.mode
        ))
    })?;
    let start = parse_start(f, body.start, body.window)?;
    Ok(ChaosRequest {
        mode,
        params: body.params.unwrap_or_default(),
        start,
        max_duration_secs: body.max_duration_secs,
        drill: body.drill.unwrap_or(false),
    })
}

/// A start as a body gives it: `start` ("now" or an instant), or a `window`, or neither (a
/// random moment of the default window).
fn parse_start(f: &Factory, start: Option<String>, window: Option<WindowBody>) -> Result<Start, ApiError> {
    Ok(match (start.as_deref(), window) {
        (Some(_), Some(_)) => return Err(ApiError::bad_request("give start or window, not both")),
        (Some("now"), None) => Start::Now,
        (Some(at), None) => Start::At(
            DateTime::parse_from_rfc3339(at)
                .map_err(|_| ApiError::bad_request("start must be \"now\" or an RFC 3339 instant"))?
                .to_utc(),
        ),
        (None, window) => {
            let mut w = default_window(f);
            if let Some(body) = window {
                if let Some(tz) = body.tz {
                    w.tz = parse_tz("window.tz", &tz).map_err(ApiError::bad_request)?;
                    w.date = next_day(w.tz, f.clock.now());
                }
                if let Some(from) = body.from {
                    w.from = parse_time("window.from", &from).map_err(ApiError::bad_request)?;
                }
                if let Some(to) = body.to {
                    w.to = parse_time("window.to", &to).map_err(ApiError::bad_request)?;
                }
                if let Some(date) = body.date {
                    w.date = parse_date("window.date", &date).map_err(ApiError::bad_request)?;
                }
            }
            Start::Window(w)
        }
    })
}

pub async fn admin_schedule(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
    body: web::Json<AdminChaos>,
) -> Result<HttpResponse, ApiError> {
    let id = VendorId::parse(&path).map_err(|_| ApiError::not_found(format!("vendor {} not found", path.as_str())))?;
    let request = admin_request(&f, body.into_inner())?;
    let incident = chaos::schedule(&f, &id, request, admin.label())
        .await
        .map_err(chaos_error)?;
    Ok(HttpResponse::Created().json(super::incidents::present(&f, incident)))
}

pub async fn admin_end(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = VendorId::parse(&path).map_err(|_| ApiError::not_found(format!("vendor {} not found", path.as_str())))?;
    let incident = chaos::end(&f, &id, &admin.label(), None).await.map_err(chaos_error)?;
    Ok(HttpResponse::Ok().json(super::incidents::present(&f, incident)))
}

/// A new start for a scheduled chaos: exactly one of `start` and `window`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    /// "now" or an RFC 3339 instant.
    #[schemars(with = "Option<super::schemas::Start>")]
    pub(crate) start: Option<String>,
    pub(crate) window: Option<WindowBody>,
}

/// `PATCH /api/admin/vendors/{id}/chaos`: moves a scheduled chaos, keeping its incident.
pub async fn admin_reschedule(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
    body: web::Json<Reschedule>,
) -> Result<HttpResponse, ApiError> {
    let incident = move_chaos(&f, &path, body.into_inner(), &admin.label()).await?;
    Ok(HttpResponse::Ok().json(super::incidents::present(&f, incident)))
}

/// Moves a vendor's scheduled chaos: the rule for the API and the console.
pub(crate) async fn move_chaos(f: &Factory, raw: &str, body: Reschedule, by: &str) -> Result<Incident, ApiError> {
    let id = VendorId::parse(raw).map_err(|_| ApiError::not_found(format!("vendor {raw} not found")))?;
    if body.start.is_none() && body.window.is_none() {
        return Err(ApiError::bad_request("give start or window"));
    }
    let start = parse_start(f, body.start, body.window)?;
    chaos::reschedule(f, &id, start, by).await.map_err(chaos_error)
}
