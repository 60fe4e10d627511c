//! Scenarios: the library with what each teaches, applied (or previewed) over the class.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::page::{self, Chrome, given, local};
use super::session::Session;
use crate::factory::Factory;
use crate::http::ApiError;
use crate::http::error::body_naming_field;
use crate::routes::scenarios::{ApplyBody, Campaign, apply_scenario};
use crate::scenario::Library;

pub struct Entry {
    pub name: String,
    pub description: String,
    pub teaches: String,
}

/// What an apply (or its dry run) gave, for the page.
pub struct Outcome {
    pub title: String,
    pub seed: u64,
    /// vendor, mode, local start, incident id (empty for a dry run)
    pub drawn: Vec<(String, String, String, String)>,
    pub skipped: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/scenarios.html")]
struct Scenarios {
    chrome: Chrome,
    scenarios: Vec<Entry>,
    vendors: Vec<String>,
    form: ApplyForm,
    error: String,
    outcome: Option<Outcome>,
    /// The factory's blackout dates, where campaigns are scheduled.
    blackout: String,
}

/// The apply form as typed.
#[derive(Clone, Default, Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    pub scenario: String,
    /// Blank: every vendor; else ids separated by commas, spaces or lines.
    #[serde(default)]
    pub vendors: String,
    #[serde(default, rename = "firstDate")]
    pub first_date: String,
    #[serde(default, rename = "spanDays")]
    pub span_days: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub exclude: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub seed: String,
    #[serde(default, rename = "dryRun")]
    pub dry_run: Option<String>,
}

fn words(raw: &str) -> Vec<Value> {
    raw.split([',', ' ', '\n', '\r', '\t'])
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_owned()))
        .collect()
}

fn number(field: &str, raw: &str) -> Result<Option<Value>, ApiError> {
    given(raw)
        .map(|v| {
            serde_json::from_str::<serde_json::Number>(&v)
                .map(Value::Number)
                .map_err(|_| ApiError::bad_request(format!("{field} must be a whole number")))
        })
        .transpose()
}

impl ApplyForm {
    /// The API's apply body for this form; every rule is the API's.
    fn body(&self) -> Result<ApplyBody, ApiError> {
        let picked = words(&self.vendors);
        let mut body = Map::new();
        body.insert(
            "vendors".into(),
            if picked.is_empty() {
                json!("all")
            } else {
                Value::Array(picked)
            },
        );
        if let Some(d) = given(&self.first_date) {
            body.insert("firstDate".into(), Value::String(d));
        }
        if let Some(n) = number("spanDays", &self.span_days)? {
            body.insert("spanDays".into(), n);
        }
        if given(&self.days).is_some() {
            body.insert("days".into(), Value::Array(words(&self.days)));
        }
        if given(&self.exclude).is_some() {
            body.insert("exclude".into(), Value::Array(words(&self.exclude)));
        }
        if given(&self.from).is_some() || given(&self.to).is_some() {
            body.insert("window".into(), json!({"from": self.from.trim(), "to": self.to.trim()}));
        }
        if let Some(n) = number("seed", &self.seed)? {
            body.insert("seed".into(), n);
        }
        body.insert("dryRun".into(), Value::Bool(self.dry_run.is_some()));
        body_naming_field(Value::Object(body))
    }
}

fn render(
    f: &Factory,
    library: &Library,
    s: &Session,
    status: StatusCode,
    form: ApplyForm,
    error: String,
    outcome: Option<Outcome>,
) -> HttpResponse {
    let mut vendors: Vec<String> = f.directory.all().iter().map(|e| e.vendor.id.to_string()).collect();
    vendors.sort();
    page::html(
        status,
        &Scenarios {
            chrome: Chrome::new(s, "scenarios"),
            scenarios: library
                .scenarios
                .iter()
                .map(|sc| Entry {
                    name: sc.name.clone(),
                    description: sc.description.clone(),
                    teaches: sc.teaches.clone(),
                })
                .collect(),
            vendors,
            blackout: f.blackout().describe(),
            form,
            error,
            outcome,
        },
    )
}

pub async fn page(f: web::Data<Factory>, library: web::Data<Library>, s: Session) -> HttpResponse {
    render(
        &f,
        &library,
        &s,
        StatusCode::OK,
        ApplyForm::default(),
        String::new(),
        None,
    )
}

/// Applies, or previews with a dry run. The answer is this page with the outcome, not a
/// redirect: the list of incidents drawn and vendors skipped is the answer itself.
pub async fn apply(
    f: web::Data<Factory>,
    library: web::Data<Library>,
    s: Session,
    path: web::Path<String>,
    form: web::Form<ApplyForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let tz = f.config.time_zone;
    let done = async { apply_scenario(&f, &library, &path, form.body()?, s.label()).await }.await;
    let form = ApplyForm {
        scenario: path.into_inner(),
        ..form
    };
    match done {
        Ok(Campaign::Planned(p)) => {
            let outcome = Outcome {
                title: format!("Dry run of {}: nothing was stored", p.scenario),
                seed: p.seed,
                drawn: p
                    .plan
                    .iter()
                    .map(|c| {
                        (
                            c.vendor_id.to_string(),
                            c.mode.to_string(),
                            c.start_at_local.clone(),
                            String::new(),
                        )
                    })
                    .collect(),
                skipped: p
                    .skipped
                    .iter()
                    .map(|k| (k.vendor_id.to_string(), k.reason.clone()))
                    .collect(),
            };
            render(&f, &library, &s, StatusCode::OK, form, String::new(), Some(outcome))
        }
        Ok(Campaign::Applied(a)) => {
            let outcome = Outcome {
                title: format!("{} applied: {} incidents drawn", a.scenario, a.incidents.len()),
                seed: a.seed,
                drawn: a
                    .incidents
                    .iter()
                    .map(|i| {
                        (
                            i.vendor_id.to_string(),
                            i.mode.to_string(),
                            local(i.start_at, tz),
                            i.id.to_string(),
                        )
                    })
                    .collect(),
                skipped: a
                    .skipped
                    .iter()
                    .map(|k| (k.vendor_id.to_string(), k.reason.clone()))
                    .collect(),
            };
            render(
                &f,
                &library,
                &s,
                StatusCode::CREATED,
                form,
                String::new(),
                Some(outcome),
            )
        }
        Err(e) => render(&f, &library, &s, e.status(), form, e.message().to_owned(), None),
    }
}
