//! Grades: the score an incident earns from how long its chaos lasted, and the range of days a
//! grade sheet covers.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::window::parse_date;

/// 100 − `penalty_per_hour` × hours the chaos lasted, never below `floor`, to one decimal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradeRule {
    pub penalty_per_hour: f64,
    pub floor: f64,
}

impl Default for GradeRule {
    fn default() -> Self {
        Self {
            penalty_per_hour: 5.0,
            floor: 0.0,
        }
    }
}

impl GradeRule {
    /// The score of a chaos that lasted `seconds` (a clock running backwards counts as none).
    pub fn score(&self, seconds: i64) -> f64 {
        let hours = seconds.max(0) as f64 / 3600.0;
        let raw = (100.0 - self.penalty_per_hour * hours).max(self.floor);
        (raw * 10.0).round() / 10.0
    }
}

/// `FACTORY_GRADE_PENALTY_PER_HOUR`: points lost per hour, a finite number ≥ 0.
pub fn parse_penalty(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err("must be a number of points per hour, 0 or more, such as 5".into()),
    }
}

/// `FACTORY_GRADE_FLOOR`: the lowest score, a number from 0 to 100.
pub fn parse_floor(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(f) if (0.0..=100.0).contains(&f) => Ok(f),
        _ => Err("must be a score from 0 to 100, such as 0".into()),
    }
}

/// The longest range a grade sheet covers: a year, leap day included.
pub const MAX_SPAN_DAYS: i64 = 366;

/// Calendar days `from` to `to`, both included, in the configured zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The range a query asks for. Without `to`, up to `today` (or `from`, if later); without
    /// `from`, the year that ends on `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, String> {
        let from = from.map(|d| parse_date("from", d)).transpose()?;
        let to = match to {
            Some(d) => parse_date("to", d)?,
            None => from.map_or(today, |f| f.max(today)),
        };
        let from = from.unwrap_or_else(|| to - Duration::days(MAX_SPAN_DAYS - 1));
        if from > to {
            return Err(format!("from {from} is after to {to}"));
        }
        let days = (to - from).num_days() + 1;
        if days > MAX_SPAN_DAYS {
            return Err(format!(
                "from {from} to {to} spans {days} days; at most {MAX_SPAN_DAYS}"
            ));
        }
        Ok(Self { from, to })
    }

    /// The last `days` days up to `today`, both included.
    pub fn last(days: i64, today: NaiveDate) -> Self {
        Self {
            from: today - Duration::days(days - 1),
            to: today,
        }
    }

    /// The instants `[start of from, start of the day after to)` in `tz`.
    pub fn instants(&self, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
        let after = self
            .to
            .succ_opt()
            .ok_or_else(|| format!("to {} is out of range", self.to))?;
        Ok((start_of_day(self.from, tz), start_of_day(after, tz)))
    }
}

/// The first instant of `date` in `tz`: midnight, or the first hour after a midnight that a
/// daylight-saving change skips.
fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    (0..24)
        .find_map(|h| tz.from_local_datetime(&date.and_hms_opt(h, 0, 0)?).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_rule_takes_five_points_an_hour_down_to_zero() {
        let rule = GradeRule::default();
        assert_eq!(rule.score(0), 100.0);
        assert_eq!(rule.score(90 * 60), 92.5);
        assert_eq!(rule.score(3 * 3600), 85.0);
        assert_eq!(rule.score(20 * 3600), 0.0);
        assert_eq!(rule.score(30 * 3600), 0.0);
        assert_eq!(rule.score(-5), 100.0);
    }

    #[test]
    fn scores_round_to_one_decimal_and_stop_at_the_floor() {
        let rule = GradeRule {
            penalty_per_hour: 10.0,
            floor: 40.0,
        };
        // 100 − 10 × 0.25139 h = 97.486…
        assert_eq!(rule.score(905), 97.5);
        assert_eq!(rule.score(5 * 3600), 50.0);
        assert_eq!(rule.score(7 * 3600), 40.0);
        let lenient = GradeRule {
            penalty_per_hour: 0.0,
            floor: 0.0,
        };
        assert_eq!(lenient.score(1_000_000), 100.0);
    }

    #[test]
    fn configuration_refuses_negative_infinite_or_impossible_values() {
        assert_eq!(parse_penalty("2.5"), Ok(2.5));
        assert_eq!(parse_penalty("0"), Ok(0.0));
        for bad in ["-1", "inf", "NaN", "five", ""] {
            assert!(parse_penalty(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_floor("100"), Ok(100.0));
        for bad in ["-0.1", "100.1", "inf", "NaN", "x"] {
            assert!(parse_floor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_default_to_the_year_up_to_today() {
        let today = day("2026-12-01");
        let whole = DayRange::parse(None, None, today).unwrap();
        assert_eq!((whole.from, whole.to), (day("2025-12-01"), today));
        let since = DayRange::parse(Some("2026-09-01"), None, today).unwrap();
        assert_eq!((since.from, since.to), (day("2026-09-01"), today));
        let ahead = DayRange::parse(Some("2027-01-05"), None, today).unwrap();
        assert_eq!(ahead.to, day("2027-01-05"));
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        let today = day("2026-12-01");
        let err = |f: Option<&str>, t: Option<&str>| DayRange::parse(f, t, today).unwrap_err();
        assert_eq!(err(Some("2026-13-01"), None), "from must be a date as YYYY-MM-DD");
        assert_eq!(err(None, Some("12/01/2026")), "to must be a date as YYYY-MM-DD");
        assert_eq!(
            err(Some("2026-12-02"), Some("2026-12-01")),
            "from 2026-12-02 is after to 2026-12-01"
        );
        assert_eq!(
            err(Some("2025-01-01"), Some("2026-01-02")),
            "from 2025-01-01 to 2026-01-02 spans 367 days; at most 366"
        );
        assert!(DayRange::parse(Some("2025-01-01"), Some("2026-01-01"), today).is_ok());
    }

    #[test]
    fn a_range_runs_from_local_midnight_to_the_next_local_midnight() {
        let range = DayRange::parse(Some("2026-12-01"), Some("2026-12-02"), day("2026-12-01")).unwrap();
        let (start, end) = range.instants(chrono_tz::America::Denver).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-12-01T07:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-03T07:00:00+00:00");
        // Santiago skips midnight when its summer time begins (2026-09-06).
        let skipped = DayRange::parse(Some("2026-09-06"), Some("2026-09-06"), day("2026-09-06")).unwrap();
        let (start, _) = skipped.instants(chrono_tz::America::Santiago).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-09-06T04:00:00+00:00");
    }
}
