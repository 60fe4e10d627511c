//! Scenario routes: the loaded library, and applying one as a campaign to a class.

use actix_web::{HttpResponse, web};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::VendorId;
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError};
use crate::routes::chaos::chaos_error;
use crate::scenario::campaign::{self, Vendors};
use crate::scenario::{Scenario, StartSpec};

fn summary(s: &Scenario) -> Value {
    let start = match &s.chaos.start {
        StartSpec::Offset(d) => json!({"offsetSecs": d.num_seconds()}),
        StartSpec::At(t) => json!({"at": t}),
        StartSpec::Window(w) => json!({"window": {
            "from": w.from.format("%H:%M").to_string(),
            "to": w.to.format("%H:%M").to_string(),
            "tz": w.tz.name(),
            "days": w.days.iter().map(|d| d.to_string().to_lowercase()).collect::<Vec<_>>(),
            "firstDate": w.first_date,
            "spanDays": w.span_days,
        }}),
    };
    json!({
        "name": s.name,
        "file": s.file.file_name().map(|n| n.to_string_lossy().into_owned()),
        "description": s.description,
        "teaches": s.teaches,
        "modes": s.chaos.modes.iter().map(|(m, w)| json!({"mode": m, "weight": w})).collect::<Vec<_>>(),
        "params": s.chaos.params,
        "start": start,
        "maxDurationSecs": s.chaos.max_duration_secs,
    })
}

pub async fn list(f: web::Data<Factory>, _admin: AdminCaller) -> HttpResponse {
    HttpResponse::Ok().json(f.scenarios.iter().map(summary).collect::<Vec<_>>())
}

/// `"all"`, or a list of vendor ids.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum VendorsDoc {
    All(String),
    These(Vec<VendorId>),
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    #[schemars(with = "VendorsDoc")]
    vendors: Option<Value>,
}

fn vendors(raw: Option<Value>) -> Result<Vendors, ApiError> {
    let wrong = || ApiError::bad_request("vendors must be \"all\" or a non-empty list of vendor ids");
    match raw.ok_or_else(wrong)? {
        Value::String(s) if s == "all" => Ok(Vendors::All),
        Value::Array(list) if !list.is_empty() && list.len() <= 10_000 => list
            .iter()
            .map(|v| {
                let id = v.as_str().ok_or_else(wrong)?;
                VendorId::parse(id).map_err(|e| ApiError::bad_request(format!("vendors: {e}")))
            })
            .collect::<Result<_, _>>()
            .map(Vendors::These),
        _ => Err(wrong()),
    }
}

pub async fn apply(
    f: web::Data<Factory>,
    admin: AdminCaller,
    name: web::Path<String>,
    body: web::Json<ApplyBody>,
) -> Result<HttpResponse, ApiError> {
    let scenario = f
        .scenarios
        .iter()
        .find(|s| s.name == *name)
        .ok_or_else(|| ApiError::not_found(format!("scenario {} not found", name.as_str())))?;
    let vendors = vendors(body.into_inner().vendors)?;
    let applied = campaign::apply(&f, scenario, vendors, admin.label())
        .await
        .map_err(chaos_error)?;
    Ok(HttpResponse::Created().json(applied))
}
