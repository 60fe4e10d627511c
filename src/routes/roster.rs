//! Roster import: a class's vendors from one CSV or JSON list, answered with the hand-out of
//! their keys (the only time those keys are shown).

use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::bodies::CreatedVendor;
use super::spreadsheet;
use super::vendors::{NewVendor, Refused, register};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError, BODY_LIMIT};

/// More rows than any class has; a larger list is split by the instructor.
const MAX_ROWS: usize = 2_000;
const COLUMNS: [&str; 5] = ["id", "name", "email", "website", "gitHubUrl"];

#[derive(Serialize, JsonSchema)]
pub struct Rejected {
    /// The row's line in a CSV file (the header is line 1), or its 1-based place in a JSON list.
    pub row: usize,
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Imported {
    pub created: Vec<CreatedVendor>,
    pub rejected: Vec<Rejected>,
}

/// One row as read, before the vendor rules check it.
struct Row {
    line: usize,
    fields: Value,
}

pub async fn import(
    f: web::Data<Factory>,
    admin: AdminCaller,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if body.len() > BODY_LIMIT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body larger than {BODY_LIMIT} bytes"),
        ));
    }
    let imported = import_roster(&f, &media_type(&req, CONTENT_TYPE), &body, &admin.label()).await?;
    if media_type(&req, ACCEPT) == "text/csv" {
        return hand_out(&f, &imported);
    }
    Ok(HttpResponse::Ok().json(imported))
}

/// Reads a roster (`media`: application/json or text/csv) and registers each vendor in it: the
/// rule for the API and the console.
pub(crate) async fn import_roster(f: &Factory, media: &str, body: &[u8], by: &str) -> Result<Imported, ApiError> {
    let rows = match media {
        "application/json" => json_rows(body)?,
        "text/csv" => csv_rows(body)?,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/json (a list of vendors) or text/csv (with a header row)",
            ));
        }
    };
    if rows.len() > MAX_ROWS {
        return Err(ApiError::bad_request(format!("at most {MAX_ROWS} vendors per import")));
    }
    let mut imported = Imported {
        created: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = HashSet::new();
    for row in rows {
        let id = row.fields.get("id").and_then(Value::as_str).map(str::to_owned);
        let reject = |reason: String| Rejected {
            row: row.line,
            id: id.clone(),
            reason,
        };
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            imported
                .rejected
                .push(reject(format!("duplicate: vendor {id} appears earlier in this list")));
            continue;
        }
        let vendor: NewVendor = match serde_json::from_value(row.fields) {
            Ok(v) => v,
            Err(e) => {
                imported.rejected.push(reject(e.to_string()));
                continue;
            }
        };
        match register(f, vendor, by).await {
            Ok(created) => imported.created.push(created),
            Err(Refused::Taken(id)) => imported
                .rejected
                .push(reject(format!("duplicate: vendor {id} already exists"))),
            Err(Refused::Invalid(e)) => imported.rejected.push(reject(e.message().to_owned())),
        }
    }
    log::info!(
        "roster import by {by}: {} created, {} rejected",
        imported.created.len(),
        imported.rejected.len()
    );
    Ok(imported)
}

/// The essence of a media-type header: `text/csv; charset=utf-8` is `text/csv`.
fn media_type(req: &HttpRequest, header: actix_web::http::header::HeaderName) -> String {
    let raw = req
        .headers()
        .get(header)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    raw.split([';', ','])
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn json_rows(body: &[u8]) -> Result<Vec<Row>, ApiError> {
    let list: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body must be a JSON list of vendors: {e}")))?;
    if let Some(i) = list.iter().position(|row| !row.is_object()) {
        return Err(ApiError::bad_request(format!(
            "row {}: each vendor must be a JSON object",
            i + 1
        )));
    }
    Ok(list
        .into_iter()
        .enumerate()
        .map(|(i, fields)| Row { line: i + 1, fields })
        .collect())
}

fn csv_rows(body: &[u8]) -> Result<Vec<Row>, ApiError> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::bad_request(format!("CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(ApiError::bad_request(format!(
            "CSV header: unknown column {unknown:?}; the columns are {}",
            COLUMNS.join(",")
        )));
    }
    if !header.iter().any(|h| h == "id") || !header.iter().any(|h| h == "name") {
        return Err(ApiError::bad_request(
            "CSV header: the columns id and name are required",
        ));
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ApiError::bad_request(format!("CSV line {}: {e}", i + 2)))?;
        // Empty cells are absent fields, as a spreadsheet exports them.
        let fields = header
            .iter()
            .zip(record.iter())
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(h, cell)| (h.clone(), Value::String(cell.to_owned())))
            .collect();
        rows.push(Row {
            line: i + 2,
            fields: Value::Object(fields),
        });
    }
    Ok(rows)
}

/// `id,name,apiKey,factoryUrl` for each created vendor: what an instructor mails to the teams.
pub(crate) fn hand_out(f: &Factory, imported: &Imported) -> Result<HttpResponse, ApiError> {
    let rows: Vec<Vec<String>> = imported
        .created
        .iter()
        .map(|c| {
            vec![
                c.vendor.fields.id.to_string(),
                c.vendor.fields.name.clone(),
                c.api_key.clone(),
                f.public_url.clone(),
            ]
        })
        .collect();
    let mut res = spreadsheet::download("vendor-keys.csv", &["id", "name", "apiKey", "factoryUrl"], &rows)?;
    res.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("x-rejected-count"),
        imported.rejected.len().into(),
    );
    Ok(res)
}
