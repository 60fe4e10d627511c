//! Scenario routes: the loaded library, and applying one as a campaign to a class.

use actix_web::{HttpResponse, web};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::refusals::chaos_error;
use crate::domain::window::{parse_date, parse_time, parse_tz};
use crate::domain::{Blackout, VendorId};
use crate::factory::Factory;
use crate::http::error::body_naming_field;
use crate::http::{AdminCaller, ApiError};
use crate::scenario::campaign::{self, Vendors};
use crate::scenario::term::{self, Hours, Term};
use crate::scenario::{ChaosSpec, Library, Scenario, StartSpec, WindowSpec};

pub(crate) fn summary(s: &Scenario) -> Value {
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
            "blackout": w.blackout.describe(),
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

pub async fn list(library: web::Data<Library>, _admin: AdminCaller) -> HttpResponse {
    super::paging::all(&library.scenarios.iter().map(summary).collect::<Vec<_>>())
}

/// `"all"`, or a list of vendor ids.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum VendorsDoc {
    All(AllVendors),
    These(Vec<VendorId>),
}

/// A day of the week as terms name it.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum DayName {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
enum AllVendors {
    #[serde(rename = "all")]
    All,
}

/// A daily window's hours for a term, overriding the scenario file's.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TermWindow {
    /// Start of the daily window, HH:MM.
    #[schemars(with = "super::schemas::ClockTime")]
    pub(crate) from: String,
    /// End of the daily window, HH:MM; one not after `from` runs past midnight.
    #[schemars(with = "super::schemas::ClockTime")]
    pub(crate) to: String,
    /// IANA time zone; the file's (or the factory's) when absent.
    #[schemars(with = "Option<super::schemas::TimeZoneName>")]
    pub(crate) tz: Option<String>,
}

/// `vendors`, and optionally a term plan laid over the scenario's start.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApplyBody {
    #[schemars(with = "VendorsDoc")]
    pub(crate) vendors: Option<Value>,
    /// First day of the term (YYYY-MM-DD, today or later in the window's zone).
    #[schemars(with = "Option<super::schemas::Date>")]
    pub(crate) first_date: Option<String>,
    /// Days in the term, counted from `firstDate`.
    #[schemars(range(min = 1, max = 366))]
    pub(crate) span_days: Option<i64>,
    /// Weekdays the window is open: mon, tue, wed, thu, fri, sat, sun.
    #[schemars(length(min = 1, max = 7), with = "Option<Vec<DayName>>")]
    pub(crate) days: Option<Vec<String>>,
    /// Dates (YYYY-MM-DD) or inclusive ranges (YYYY-MM-DD..YYYY-MM-DD) with no chaos.
    #[schemars(
        length(max = 366),
        inner(regex(pattern = r"^\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?$"))
    )]
    pub(crate) exclude: Option<Vec<String>>,
    pub(crate) window: Option<TermWindow>,
    /// Seed of the draws: the same seed and inputs give the same plan. Drawn when absent and
    /// answered either way.
    #[schemars(range(min = 0, max = 9_007_199_254_740_991u64))]
    pub(crate) seed: Option<u64>,
    /// Answer the plan (200) and store nothing.
    #[serde(default)]
    pub(crate) dry_run: bool,
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

fn term(body: &ApplyBody) -> Result<Term, String> {
    Ok(Term {
        first_date: body
            .first_date
            .as_deref()
            .map(|d| parse_date("firstDate", d))
            .transpose()?,
        span_days: body.span_days.map(term::parse_span_days).transpose()?,
        days: body.days.as_deref().map(term::parse_days).transpose()?,
        exclude: term::parse_exclusions(body.exclude.as_deref().unwrap_or_default())?,
        window: body
            .window
            .as_ref()
            .map(|w| -> Result<Hours, String> {
                Ok(Hours {
                    from: parse_time("window.from", &w.from)?,
                    to: parse_time("window.to", &w.to)?,
                    tz: w.tz.as_deref().map(|t| parse_tz("window.tz", t)).transpose()?,
                })
            })
            .transpose()?,
    })
}

pub async fn apply(
    f: web::Data<Factory>,
    library: web::Data<Library>,
    admin: AdminCaller,
    name: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body: ApplyBody = body_naming_field(body.into_inner())?;
    Ok(match apply_scenario(&f, &library, &name, body, admin.label()).await? {
        Campaign::Planned(planned) => HttpResponse::Ok().json(planned),
        Campaign::Applied(applied) => HttpResponse::Created().json(campaign::Applied {
            incidents: super::incidents::presented(&f, applied.incidents),
            ..applied
        }),
    })
}

/// What applying a scenario gave: only a plan (dry run), or the incidents drawn.
pub(crate) enum Campaign {
    Planned(campaign::CampaignPlan),
    Applied(campaign::Applied),
}

/// Plans a scenario over a class and, unless it is a dry run, applies it: the rule for the API
/// and the console.
pub(crate) async fn apply_scenario(
    f: &Factory,
    library: &Library,
    name: &str,
    body: ApplyBody,
    by: String,
) -> Result<Campaign, ApiError> {
    let scenario = library
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::not_found(format!("scenario {name} not found")))?;
    let term = term(&body).map_err(ApiError::bad_request)?;
    let seed = match body.seed {
        Some(s) if s > campaign::MAX_SEED => {
            return Err(ApiError::bad_request(format!(
                "seed must be a whole number from 0 to {}",
                campaign::MAX_SEED
            )));
        }
        Some(s) => s,
        None => f.draws.below(0, campaign::MAX_SEED as i64 + 1) as u64,
    };
    let default_window = WindowSpec {
        from: f.config.chaos_window.0,
        to: f.config.chaos_window.1,
        tz: f.config.time_zone,
        days: Vec::new(),
        first_date: None,
        span_days: 1,
        exclude: Vec::new(),
        blackout: Blackout::default(),
    };
    // The factory's blackout dates join the file's before any day is drawn, so a term plan
    // draws around them and one that leaves no day says so.
    let mut file = scenario.chaos.clone();
    if let StartSpec::Window(w) = &mut file.start {
        w.blackout = w.blackout.and(&f.blackout());
    }
    let default_window = WindowSpec {
        blackout: f.blackout(),
        ..default_window
    };
    let spec = ChaosSpec {
        start: term
            .start(&file.start, default_window, f.clock.now())
            .map_err(ApiError::bad_request)?,
        ..file
    };
    let vendors = vendors(body.vendors)?;
    let planned = campaign::plan(f, &scenario.name, &spec, vendors, seed).map_err(chaos_error)?;
    if body.dry_run {
        return Ok(Campaign::Planned(planned));
    }
    let applied = campaign::apply(f, planned, by).await.map_err(chaos_error)?;
    Ok(Campaign::Applied(applied))
}
