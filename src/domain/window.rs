//! Chaos windows: "between 08:00 and 14:00 in America/Denver on that day", DST-correct.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChaosWindow {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub tz: Tz,
    pub date: NaiveDate,
}

pub fn parse_time(field: &str, raw: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map_err(|_| format!("{field} must be a time of day as HH:MM"))
}

pub fn parse_tz(field: &str, raw: &str) -> Result<Tz, String> {
    raw.parse::<Tz>()
        .map_err(|_| format!("{field} must be an IANA time zone such as America/Denver"))
}

pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| format!("{field} must be a date as YYYY-MM-DD"))
}

/// The calendar day after `now` in `tz`.
pub fn next_day(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive() + Duration::days(1)
}

/// The instant a wall-clock time names. In a fall-back overlap the earlier instant is taken for
/// a window's start and the later for its end; a time skipped by spring-forward maps to the
/// first instant after the gap.
fn instant(tz: Tz, local: NaiveDateTime, latest: bool) -> DateTime<Utc> {
    let mut probe = local;
    for _ in 0..=24 * 60 {
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, late) => {
                return if latest { late } else { early }.with_timezone(&Utc);
            }
            LocalResult::None => probe += Duration::minutes(1),
        }
    }
    // No zone skips a whole day; fall back to reading the time as UTC.
    local.and_utc()
}

impl ChaosWindow {
    /// The window as UTC instants `[start, end)`. A window whose end is not after its start
    /// (22:00–02:00) runs past midnight into the next day.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let end_date = if self.to <= self.from {
            self.date + Duration::days(1)
        } else {
            self.date
        };
        let start = instant(self.tz, self.date.and_time(self.from), false);
        let end = instant(self.tz, end_date.and_time(self.to), true);
        (start, end.max(start))
    }

    /// A uniformly drawn second of the window; `draw(low, high)` returns a value in `low..high`.
    pub fn pick(&self, draw: impl FnOnce(i64, i64) -> i64) -> DateTime<Utc> {
        let (start, end) = self.bounds();
        let offset = draw(0, (end - start).num_seconds().max(1));
        start + Duration::seconds(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Draws;

    fn window(from: &str, to: &str, date: &str) -> ChaosWindow {
        ChaosWindow {
            from: parse_time("from", from).unwrap(),
            to: parse_time("to", to).unwrap(),
            tz: parse_tz("tz", "America/Denver").unwrap(),
            date: parse_date("date", date).unwrap(),
        }
    }

    fn local(t: DateTime<Utc>) -> String {
        t.with_timezone(&chrono_tz::America::Denver)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    }

    #[test]
    fn winter_window_is_in_mst() {
        let (start, end) = window("08:00", "14:00", "2026-12-01").bounds();
        assert_eq!(start.to_rfc3339(), "2026-12-01T15:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-01T21:00:00+00:00");
    }

    #[test]
    fn summer_window_is_in_mdt() {
        let (start, _) = window("08:00", "14:00", "2026-07-01").bounds();
        assert_eq!(start.to_rfc3339(), "2026-07-01T14:00:00+00:00");
    }

    #[test]
    fn draws_stay_inside_windows_across_dst_and_midnight() {
        let draws = Draws::seeded(3);
        let cases = [
            ("01:00", "04:00", "2026-03-08"), // spring forward: 02:00-03:00 does not exist
            ("02:30", "03:30", "2026-03-08"), // starts inside the gap
            ("00:30", "02:30", "2026-11-01"), // fall back: 01:00-02:00 happens twice
            ("22:00", "02:00", "2026-12-31"), // crosses midnight and the year
            ("23:00", "03:00", "2026-03-07"), // crosses midnight into a DST change
        ];
        for (from, to, date) in cases {
            let w = window(from, to, date);
            let (start, end) = w.bounds();
            assert!(end > start, "{from}-{to} {date}");
            for _ in 0..500 {
                let t = w.pick(|a, b| draws.below(a, b));
                assert!(
                    t >= start && t < end,
                    "{} outside {}..{}",
                    local(t),
                    local(start),
                    local(end)
                );
            }
        }
    }

    #[test]
    fn spring_forward_window_is_an_hour_shorter() {
        let (start, end) = window("01:00", "04:00", "2026-03-08").bounds();
        assert_eq!((end - start).num_hours(), 2);
        let (start, end) = window("00:30", "02:30", "2026-11-01").bounds();
        assert_eq!((end - start).num_minutes(), 180);
        let (start, _) = window("02:30", "03:30", "2026-03-08").bounds();
        assert_eq!(local(start), "2026-03-08 03:00:00 MDT");
    }

    #[test]
    fn bad_fields_name_themselves() {
        assert!(parse_time("window.from", "8am").unwrap_err().contains("window.from"));
        assert!(parse_tz("window.tz", "Mars/Olympus").unwrap_err().contains("window.tz"));
        assert!(
            parse_date("window.date", "2026-13-01")
                .unwrap_err()
                .contains("window.date")
        );
    }
}
