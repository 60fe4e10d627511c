//! Grades for instructors: the grade sheet of a range of days as JSON or CSV, and the incident
//! reports of the same days as one Markdown archive.

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};

use super::spreadsheet;
use crate::domain::grade::DayRange;
use crate::factory::Factory;
use crate::grades::{self, COLUMNS, RangeQuery, archive::archive};
use crate::http::{AdminCaller, ApiError};

pub async fn json(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let range = q.range(&f)?;
    Ok(HttpResponse::Ok().json(grades::sheet(&f, range).await?))
}

pub async fn csv(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    csv_download(&f, q.range(&f)?).await
}

pub async fn reports(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    q: web::Query<RangeQuery>,
) -> Result<HttpResponse, ApiError> {
    markdown_download(&f, q.range(&f)?).await
}

/// The grade sheet as a CSV download: for the API and the console.
pub(crate) async fn csv_download(f: &Factory, range: DayRange) -> Result<HttpResponse, ApiError> {
    let rows: Vec<Vec<String>> = grades::sheet(f, range).await?.iter().map(|g| g.cells()).collect();
    spreadsheet::download(&grades::file_name("grades", range, "csv"), &COLUMNS, &rows)
}

/// The reports archive as a Markdown download: for the API and the console.
pub(crate) async fn markdown_download(f: &Factory, range: DayRange) -> Result<HttpResponse, ApiError> {
    let name = grades::file_name("reports", range, "md");
    Ok(HttpResponse::Ok()
        .content_type("text/markdown; charset=utf-8")
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .body(archive(f, range).await?))
}
