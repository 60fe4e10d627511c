//! Incidents and their reports, for admins, and for vendors about their own ended incidents.

use actix_web::{HttpResponse, web};
use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::chaos::{self, report, scheduler};
use crate::domain::incident::reason;
use crate::domain::{Incident, IncidentState, VendorId};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError, VendorCaller};
use crate::routes::chaos::chaos_error;
use crate::store::IncidentFilter;

const MAX_LIMIT: usize = 1000;

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListQuery {
    #[schemars(with = "Option<VendorId>")]
    vendor: Option<String>,
    #[schemars(with = "Option<IncidentState>")]
    state: Option<String>,
    #[schemars(range(min = 1, max = 1000))]
    limit: Option<usize>,
    /// Also voided and drill incidents, which the default list leaves out.
    include_voided: Option<bool>,
}

pub async fn list(
    f: web::Data<Factory>,
    _admin: AdminCaller,
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
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    scheduler::settle(&f, f.clock.now()).await?;
    let found = f
        .store
        .incidents(&IncidentFilter {
            vendor,
            vendor_uid: None,
            states,
            limit,
            include_voided: q.include_voided.unwrap_or(false),
        })
        .await?;
    Ok(HttpResponse::Ok().json(priced(&f, found)))
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
    Ok(HttpResponse::Ok().json(find(&f, &path).await?.priced(f.config.btc_usd)))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Void {
    /// Why it is set aside (a typo, a test): 1 to 500 characters, no control characters.
    #[schemars(length(min = 1, max = 500))]
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
    Ok(HttpResponse::Ok().json(incident.priced(f.config.btc_usd)))
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

/// Incidents as the API shows them: with dollars beside ₿ when a rate is configured.
fn priced(f: &Factory, incidents: Vec<Incident>) -> Vec<Incident> {
    incidents.into_iter().map(|i| i.priced(f.config.btc_usd)).collect()
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
        limit: MAX_LIMIT,
        // A vendor's own record, as it happened.
        include_voided: true,
    };
    Ok(HttpResponse::Ok().json(priced(&f, f.store.incidents(&filter).await?)))
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
