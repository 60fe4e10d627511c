//! A term plan: the apply call's `firstDate`, `spanDays`, `days`, `exclude` and `window` laid
//! over a scenario's start, so an instructor plans "weeks 2–14, weekdays, not Thanksgiving week"
//! without editing the file.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::{StartSpec, WindowSpec};
use crate::domain::blackout::DateRange;
use crate::domain::window::parse_weekday;

/// Most entries `exclude` may list: a year of single days.
pub const MAX_EXCLUSIONS: usize = 366;

/// What the caller asked for; `None` keeps the scenario file's value.
#[derive(Clone, Debug, Default)]
pub struct Term {
    pub first_date: Option<NaiveDate>,
    pub span_days: Option<u32>,
    pub days: Option<Vec<Weekday>>,
    pub exclude: Vec<(NaiveDate, NaiveDate)>,
    pub window: Option<Hours>,
}

/// A daily window's hours, and its zone when given.
#[derive(Clone, Copy, Debug)]
pub struct Hours {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub tz: Option<Tz>,
}

pub fn parse_span_days(raw: i64) -> Result<u32, String> {
    u32::try_from(raw)
        .ok()
        .filter(|n| (1..=366).contains(n))
        .ok_or_else(|| format!("spanDays must be from 1 to 366, not {raw}"))
}

pub fn parse_days(raw: &[String]) -> Result<Vec<Weekday>, String> {
    if raw.is_empty() {
        return Err("days must name at least one day of the week".into());
    }
    let mut days = Vec::new();
    for d in raw {
        let day = parse_weekday("days", d)?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    Ok(days)
}

/// `"2026-12-08"` or `"2026-11-23..2026-11-27"` (both ends included), as blackout dates are.
pub fn parse_exclusions(raw: &[String]) -> Result<Vec<(NaiveDate, NaiveDate)>, String> {
    if raw.len() > MAX_EXCLUSIONS {
        return Err(format!("exclude lists at most {MAX_EXCLUSIONS} dates or ranges"));
    }
    raw.iter()
        .enumerate()
        .map(|(i, r)| DateRange::parse(&format!("exclude[{i}]"), r).map(|d| (d.from, d.to)))
        .collect()
}

impl Term {
    pub fn is_empty(&self) -> bool {
        self.first_date.is_none()
            && self.span_days.is_none()
            && self.days.is_none()
            && self.exclude.is_empty()
            && self.window.is_none()
    }

    /// The scenario's start with the term laid over it. A scenario that starts at an offset or
    /// an instant takes the factory's default window (`default`) as the base of a term. A term
    /// that leaves no open day is an error, never a quiet fallback past its end.
    pub fn start(&self, file: &StartSpec, default: WindowSpec, now: DateTime<Utc>) -> Result<StartSpec, String> {
        if self.is_empty() {
            return Ok(file.clone());
        }
        let mut w = match file {
            StartSpec::Window(w) => w.clone(),
            StartSpec::Offset(_) | StartSpec::At(_) => default,
        };
        if let Some(h) = self.window {
            (w.from, w.to) = (h.from, h.to);
            w.tz = h.tz.unwrap_or(w.tz);
        }
        w.first_date = self.first_date.or(w.first_date);
        w.span_days = self.span_days.unwrap_or(w.span_days);
        w.days = self.days.clone().unwrap_or(w.days);
        w.exclude = self.exclude.clone();
        let today = now.with_timezone(&w.tz).date_naive();
        let first = w.first(now);
        if first < today {
            return Err(format!(
                "firstDate {first} is in the past (today is {today} in {})",
                w.tz
            ));
        }
        if w.days_in_span(now).is_empty() {
            // Checked: a first date at the calendar's edge is a 400 like any other, not a panic.
            let last = first
                .checked_add_days(chrono::Days::new(u64::from(w.span_days.max(1)) - 1))
                .unwrap_or(NaiveDate::MAX);
            let days = if w.days.is_empty() {
                "every day".to_owned()
            } else {
                w.days
                    .iter()
                    .map(|d| d.to_string().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(format!(
                "firstDate, spanDays, days and exclude leave no open day: from {first} to {last} on {days}, \
                 {} exclusion(s), no {}-{} window ({}) is still ahead{}",
                w.exclude.len(),
                w.from.format("%H:%M"),
                w.to.format("%H:%M"),
                w.tz,
                w.blackout_note()
            ));
        }
        Ok(StartSpec::Window(w))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use crate::domain::window::parse_date;

    use super::*;

    fn semester() -> WindowSpec {
        WindowSpec {
            from: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            to: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
            tz: chrono_tz::America::Denver,
            days: vec![],
            first_date: None,
            span_days: 105,
            exclude: vec![],
            blackout: Default::default(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        parse_date("d", s).unwrap()
    }

    #[test]
    fn exclusions_are_dates_or_ranges_and_name_their_entry() {
        let raw = ["2026-11-23..2026-11-27".to_owned(), " 2026-12-08".to_owned()];
        assert_eq!(
            parse_exclusions(&raw).unwrap(),
            vec![
                (date("2026-11-23"), date("2026-11-27")),
                (date("2026-12-08"), date("2026-12-08"))
            ]
        );
        let bad = ["2026-12-08".to_owned(), "2026-12-09..".to_owned()];
        assert!(parse_exclusions(&bad).unwrap_err().starts_with("exclude[1]"));
        let reversed = ["2026-12-09..2026-12-01".to_owned()];
        assert!(
            parse_exclusions(&reversed)
                .unwrap_err()
                .contains("ends before it starts")
        );
        assert!(parse_days(&["Mon".into(), "monday".into()]).unwrap() == vec![Weekday::Mon]);
        assert!(parse_span_days(-1).unwrap_err().contains("spanDays"));
    }

    #[test]
    fn a_term_that_closes_every_day_is_an_error_not_a_day_after_it() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
        let term = Term {
            first_date: Some(date("2026-12-07")),
            span_days: Some(5),
            exclude: vec![(date("2026-12-01"), date("2026-12-11"))],
            ..Term::default()
        };
        let file = StartSpec::Window(semester());
        assert!(term.start(&file, semester(), now).unwrap_err().contains("no open day"));
        let edge = Term {
            first_date: Some(NaiveDate::MAX),
            span_days: Some(366),
            ..Term::default()
        };
        assert!(edge.start(&file, semester(), now).is_err());
        let ok = Term {
            exclude: vec![(date("2026-12-07"), date("2026-12-07"))],
            ..term
        };
        let StartSpec::Window(w) = ok.start(&file, semester(), now).unwrap() else {
            panic!("a window")
        };
        let days: Vec<_> = w.days_in_span(now).iter().map(|w| w.date.to_string()).collect();
        assert_eq!(days, ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11"]);
    }
}
