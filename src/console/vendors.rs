//! The vendors page: the class as a searchable table; create, import, re-key and delete.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::page::{self, Chrome, FormError, given, local};
use super::session::Session;
use crate::chaos::scheduler;
use crate::domain::{Incident, VendorId};
use crate::factory::Factory;
use crate::grades::totals::median;
use crate::http::ApiError;
use crate::routes::roster::{Imported, hand_out, import_roster};
use crate::routes::vendors::{NewVendor, Refused, new_key, register, remove};
use crate::store::IncidentFilter;

pub struct Row {
    pub id: String,
    pub name: String,
    pub chaos: String,
    pub incidents: usize,
    pub median: String,
}

#[derive(Template)]
#[template(path = "console/vendors.html")]
struct Vendors {
    chrome: Chrome,
    q: String,
    rows: Vec<Row>,
    error: FormError,
    id: String,
    name: String,
    email: String,
    roster: String,
    roster_error: String,
}

/// What a vendor's chaos is now, in the instructor's words and zone.
pub fn chaos_words(f: &Factory, entry: &crate::directory::VendorEntry, now: DateTime<Utc>) -> String {
    match &entry.chaos {
        None => "none".into(),
        Some(c) if c.is_due(now) => format!("active since {} ({})", local(c.start_at, f.config.time_zone), c.mode),
        Some(c) => format!("scheduled for {} ({})", local(c.start_at, f.config.time_zone), c.mode),
    }
}

async fn rows(f: &Factory, q: &str) -> Result<Vec<Row>, ApiError> {
    let now = f.clock.now();
    scheduler::settle(f, now).await?;
    let all: Vec<Incident> = f
        .store
        .incidents(&IncidentFilter {
            limit: 100_000,
            summaries: true,
            ..IncidentFilter::default()
        })
        .await?;
    let q = q.to_lowercase();
    let mut entries = f.directory.all();
    entries.sort_by(|a, b| a.vendor.id.as_str().cmp(b.vendor.id.as_str()));
    Ok(entries
        .iter()
        .filter(|e| {
            q.is_empty()
                || e.vendor.id.as_str().to_lowercase().contains(&q)
                || e.vendor.name.to_lowercase().contains(&q)
        })
        .map(|e| {
            let mine: Vec<&Incident> = all
                .iter()
                .filter(|i| i.vendor_id == e.vendor.id && i.vendor_uid.is_none_or(|u| u == e.vendor.uid))
                .collect();
            Row {
                id: e.vendor.id.to_string(),
                name: e.vendor.name.clone(),
                chaos: chaos_words(f, e, now),
                incidents: mine.iter().filter(|i| i.started_at.is_some()).count(),
                median: median(mine.iter().filter_map(|i| i.seconds_to_resolve()).collect())
                    .map(|s| crate::chaos::report::words::duration(s.round() as i64))
                    .unwrap_or_else(|| "–".into()),
            }
        })
        .collect())
}

#[derive(Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
}

async fn render(f: &Factory, s: &Session, status: StatusCode, mut v: Vendors) -> HttpResponse {
    match rows(f, &v.q).await {
        Ok(rows) => {
            v.rows = rows;
            v.chrome = Chrome::new(s, "vendors");
            page::html(status, &v)
        }
        Err(e) => page::problem(e),
    }
}

fn blank(s: &Session) -> Vendors {
    Vendors {
        chrome: Chrome::new(s, "vendors"),
        q: String::new(),
        rows: Vec::new(),
        error: FormError::default(),
        id: String::new(),
        name: String::new(),
        email: String::new(),
        roster: String::new(),
        roster_error: String::new(),
    }
}

pub async fn page(f: web::Data<Factory>, s: Session, q: web::Query<Search>) -> HttpResponse {
    let v = Vendors {
        q: q.into_inner().q,
        ..blank(&s)
    };
    render(&f, &s, StatusCode::OK, v).await
}

/// A key shown once: after creating a vendor, rotating its key, or importing a roster. Shown
/// as the POST's answer rather than after a redirect: a key must never sit in a URL or be kept
/// anywhere to show it later.
#[derive(Template)]
#[template(path = "console/keys.html")]
struct Keys {
    chrome: Chrome,
    title: String,
    keys: Vec<(String, String, String)>,
    rejected: Vec<(usize, String, String)>,
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

pub async fn create(f: web::Data<Factory>, s: Session, form: web::Form<CreateForm>) -> HttpResponse {
    let form = form.into_inner();
    let refused = |e: ApiError| Vendors {
        error: FormError::of(&e),
        id: form.id.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        ..blank(&s)
    };
    let id = match VendorId::parse(form.id.trim()) {
        Ok(id) => id,
        Err(why) => return render(&f, &s, StatusCode::BAD_REQUEST, refused(ApiError::bad_request(why))).await,
    };
    let body = NewVendor {
        id,
        name: form.name.clone(),
        email: given(&form.email),
        website: None,
        git_hub_url: None,
        roles: None,
    };
    match register(&f, body, &s.label()).await {
        Ok(created) => page::html(
            StatusCode::CREATED,
            &Keys {
                chrome: Chrome::new(&s, "vendors"),
                title: format!("Vendor {} created", created.vendor.fields.id),
                keys: vec![(
                    created.vendor.fields.id.to_string(),
                    created.vendor.fields.name.clone(),
                    created.api_key,
                )],
                rejected: Vec::new(),
            },
        ),
        Err(Refused::Invalid(e)) => render(&f, &s, e.status(), refused(e)).await,
        Err(Refused::Taken(id)) => {
            let e = ApiError::conflict(format!("id: vendor {id} already exists"));
            render(&f, &s, StatusCode::CONFLICT, refused(e)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    roster: String,
    /// Present when the instructor asked for the hand-out file rather than a page.
    #[serde(default)]
    handout: Option<String>,
}

pub async fn import(f: web::Data<Factory>, s: Session, form: web::Form<ImportForm>) -> HttpResponse {
    let form = form.into_inner();
    let imported: Imported = match import_roster(&f, "text/csv", form.roster.as_bytes(), &s.label()).await {
        Ok(i) => i,
        Err(e) => {
            let v = Vendors {
                roster: form.roster.clone(),
                roster_error: e.message().to_owned(),
                ..blank(&s)
            };
            return render(&f, &s, e.status(), v).await;
        }
    };
    if form.handout.is_some() {
        return hand_out(&f, &imported).unwrap_or_else(page::problem);
    }
    page::ok(&Keys {
        chrome: Chrome::new(&s, "vendors"),
        title: format!(
            "Roster imported: {} created, {} rejected",
            imported.created.len(),
            imported.rejected.len()
        ),
        keys: imported
            .created
            .into_iter()
            .map(|c| (c.vendor.fields.id.to_string(), c.vendor.fields.name, c.api_key))
            .collect(),
        rejected: imported
            .rejected
            .into_iter()
            .map(|r| (r.row, r.id.unwrap_or_default(), r.reason))
            .collect(),
    })
}

pub async fn rotate(f: web::Data<Factory>, s: Session, path: web::Path<String>) -> HttpResponse {
    match new_key(&f, &path, &s.label()).await {
        Ok(key) => {
            let name = f
                .directory
                .by_id(&VendorId::parse(&path).unwrap_or_else(|_| VendorId::parse("x").expect("valid")))
                .map(|e| e.vendor.name.clone())
                .unwrap_or_default();
            page::ok(&Keys {
                chrome: Chrome::new(&s, "vendors"),
                title: format!("New key for {}: the old one no longer works", path.as_str()),
                keys: vec![(path.into_inner(), name, key.expose().to_owned())],
                rejected: Vec::new(),
            })
        }
        Err(e) => page::problem(e),
    }
}

#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn delete(
    f: web::Data<Factory>,
    s: Session,
    path: web::Path<String>,
    form: web::Form<Confirm>,
) -> HttpResponse {
    if form.confirm.is_none() {
        return page::problem(ApiError::bad_request("tick the box to confirm the deletion"));
    }
    match remove(&f, &path, &s.label()).await {
        Ok(()) => page::see_other("/admin/vendors"),
        Err(e) => page::problem(e),
    }
}
