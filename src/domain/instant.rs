//! The one form of an instant in JSON: RFC 3339 in UTC with exactly milliseconds
//! (`2026-11-29T15:34:29.348Z`), so a field reads the same on every instance and after a restart
//! (the stores keep milliseconds). Use with `#[serde(serialize_with = "instant::ms")]`.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serializer;

pub fn format(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The same instant as a wall clock in `tz` reads it, with its offset
/// (`2026-11-29T08:34:29.348-07:00`): what an instructor plans in.
pub fn local(t: &DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Millis, false)
}

pub fn ms<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(t))
}

pub fn ms_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => ms(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn instants_have_exactly_milliseconds_and_a_z() {
        let whole = Utc.with_ymd_and_hms(2026, 11, 29, 15, 34, 26).unwrap();
        assert_eq!(format(&whole), "2026-11-29T15:34:26.000Z");
        let fine = whole + chrono::Duration::nanoseconds(348_931_879);
        assert_eq!(format(&fine), "2026-11-29T15:34:26.348Z");
        assert_eq!(
            local(&fine, chrono_tz::America::Denver),
            "2026-11-29T08:34:26.348-07:00"
        );
    }
}
