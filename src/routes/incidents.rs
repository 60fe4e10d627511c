//! Incidents and their reports, for admins, and for vendors about their own ended incidents.

use actix_web::{HttpRequest, HttpResponse, web};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use super::refusals::chaos_error;
use crate::chaos::{self, report, scheduler};
use crate::domain::incident::reason;
use crate::domain::{Incident, IncidentState, VendorId};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError, VendorCaller};
use crate::routes::paging::{self, Page};
use crate::store::IncidentFilter;

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListQuery {
    #[schemars(with = "Option<VendorId>")]
    vendor: Option<String>,
    #[schemars(with = "Option<IncidentState>")]
    state: Option<String>,
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<usize>,
    /// How many incidents to pass over (the `Link` header names the next page).
    #[schemars(range(max = 1_000_000_000))]
    offset: Option<usize>,
    /// `initiatedAt` (newest first, the default) or `startAt` (soonest first: the schedule).
    sort: Option<Sort>,
    /// Also voided and drill incidents, which the default list leaves out.
    include_voided: Option<bool>,
}

#[derive(Clone, Copy, Deserialize, JsonSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub enum Sort {
    InitiatedAt,
    StartAt,
}

pub async fn list(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    req: HttpRequest,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let vendor = q
        .vendor
        .map(|v| VendorId::parse(&v).map_err(|e| ApiError::bad_request(format!("vendor: {e}"))))
        .transpose()?;
    let states = match q.state {
        Some(s) => vec![IncidentState::parse(&s).ok_or_else(|| {
            ApiError::bad_request("state must be one of scheduled, active, resolved, cancelled, expired")
        })?],
        None => Vec::new(),
    };
    let page = Page::of(q.limit, q.offset)?;
    scheduler::settle(&f, f.clock.now()).await?;
    let filter = IncidentFilter {
        vendor,
        vendor_uid: None,
        states,
        mode: None,
        limit: page.limit,
        offset: page.offset,
        by_start: q.sort == Some(Sort::StartAt),
        include_voided: q.include_voided.unwrap_or(false),
        summaries: false,
        started: None,
    };
    let total = f.store.incident_count(&filter).await?;
    let found = presented(&f, f.store.incidents(&filter).await?);
    Ok(paging::page(&req, &f.public_url, page, total, &found))
}

pub(crate) async fn find(f: &Factory, raw: &str) -> Result<Incident, ApiError> {
    let missing = || ApiError::not_found(format!("incident {raw} not found"));
    let id = Uuid::parse_str(raw).map_err(|_| missing())?;
    scheduler::settle(f, f.clock.now()).await?;
    f.store.incident(id).await?.ok_or_else(missing)
}

pub async fn read(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(present(&f, find(&f, &path).await?)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Void {
    /// Why it is set aside (a typo, a test): 1 to 500 characters, no control characters.
    #[schemars(with = "super::schemas::Reason")]
    reason: String,
}

/// `POST /api/admin/incidents/{id}/void`: sets an ended incident aside; 409 while it is open.
pub async fn void(
    f: web::Data<Factory>,
    admin: AdminCaller,
    path: web::Path<String>,
    body: web::Json<Void>,
) -> Result<HttpResponse, ApiError> {
    let incident = void_incident(&f, &path, &body.reason, &admin.label()).await?;
    Ok(HttpResponse::Ok().json(present(&f, incident)))
}

/// Sets an incident aside: the rule for the API and the console.
pub(crate) async fn void_incident(f: &Factory, raw: &str, why: &str, by: &str) -> Result<Incident, ApiError> {
    let why = reason(why).map_err(ApiError::bad_request)?;
    scheduler::flush_stats(f).await;
    chaos::void(f, raw, by, why).await.map_err(chaos_error)
}

fn markdown(f: &Factory, incident: &Incident) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/markdown; charset=utf-8")
        .body(report::render(incident, report::Audience::of(&f.config)))
}

/// Incidents as the API shows them: `startAtLocal`, and dollars beside ₿ when a rate is set.
pub fn presented(f: &Factory, incidents: Vec<Incident>) -> Vec<Incident> {
    incidents.into_iter().map(|i| present(f, i)).collect()
}

pub fn present(f: &Factory, incident: Incident) -> Incident {
    incident.presented(f.config.time_zone, f.config.btc_usd)
}

pub async fn admin_report(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(markdown(&f, &find(&f, &path).await?))
}

fn vendor_incidents_enabled(f: &Factory) -> Result<(), ApiError> {
    if f.config.vendor_incidents {
        Ok(())
    } else {
        Err(ApiError::not_found("unknown endpoint"))
    }
}

const ENDED: [IncidentState; 2] = [IncidentState::Resolved, IncidentState::Expired];

pub async fn vendor_list(f: web::Data<Factory>, caller: VendorCaller) -> Result<HttpResponse, ApiError> {
    vendor_incidents_enabled(&f)?;
    scheduler::settle(&f, f.clock.now()).await?;
    let filter = IncidentFilter {
        vendor: Some(caller.0.vendor.id.clone()),
        // Not the incidents of an earlier vendor deleted under the same id.
        vendor_uid: Some(caller.0.vendor.uid),
        states: ENDED.to_vec(),
        mode: None,
        limit: paging::MAX_LIMIT,
        offset: 0,
        by_start: false,
        // A vendor's own record, as it happened.
        include_voided: true,
        summaries: false,
        started: None,
    };
    Ok(paging::all(&presented(&f, f.store.incidents(&filter).await?)))
}

pub async fn vendor_report(
    f: web::Data<Factory>,
    caller: VendorCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    vendor_incidents_enabled(&f)?;
    let incident = find(&f, &path).await?;
    // Someone else's incident, or one that is not over, looks exactly like a missing one.
    let mine = incident.vendor_id == caller.0.vendor.id && incident.vendor_uid == Some(caller.0.vendor.uid);
    if !mine || !ENDED.contains(&incident.state) {
        return Err(ApiError::not_found(format!("incident {} not found", path.as_str())));
    }
    Ok(markdown(&f, &incident))
}
