//! Calendar days as people write them in settings, scenario files and requests.

use chrono::NaiveDate;

/// A day written as YYYY-MM-DD; the error names `field`, the input it came from.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| format!("{field} must be a date as YYYY-MM-DD"))
}
