//! CSV answers an instructor opens in a spreadsheet: RFC 4180 by the csv crate, and no cell that
//! a spreadsheet would run as a formula.

use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};

use crate::http::ApiError;

/// A cell beginning with `=`, `+`, `-` or `@` is prefixed with `'`, so it stays text.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// A `text/csv` download of `rows` under `header`, every cell neutralized.
pub fn download(filename: &str, header: &[&str], rows: &[Vec<String>]) -> Result<HttpResponse, ApiError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let written = out.write_record(header).and_then(|()| {
        rows.iter()
            .try_for_each(|row| out.write_record(row.iter().map(|c| neutralize(c))))
    });
    let body = written
        .map_err(|e| e.to_string())
        .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
        .map_err(|e| ApiError::unexpected("could not write CSV", e))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_stay_text() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-team"), "'-team");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("Team 7"), "Team 7");
        assert_eq!(neutralize(""), "");
    }
}
