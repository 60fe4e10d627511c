//! Blackout dates: whole days (exam week, a holiday) on which no chaos may start, whoever
//! schedules it. The one answer to "is this instant on a blackout date" and "when is the next
//! open one".

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::day::parse_date;

/// Longest range accepted: a blackout longer than a year is a closed class, not a holiday.
pub const MAX_RANGE_DAYS: i64 = 366;

/// An inclusive range of dates; one day when `from == to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }

    /// `"2026-12-08"` or `"2026-11-23..2026-11-27"` (both ends included); errors name `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, String> {
        let date = |s: &str| {
            parse_date(field, s.trim())
                .map_err(|_| format!("{field}: {raw:?} is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD"))
        };
        let (from, to) = match raw.split_once("..") {
            Some((a, b)) => (date(a)?, date(b)?),
            None => (date(raw)?, date(raw)?),
        };
        if to < from {
            return Err(format!("{field}: {raw:?} ends before it starts"));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(format!("{field}: {raw:?} is longer than {MAX_RANGE_DAYS} days"));
        }
        Ok(Self { from, to })
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}..{}", self.from, self.to)
        }
    }
}

/// `FACTORY_BLACKOUT`'s syntax: dates and ranges separated by commas; empty means none.
pub fn parse_list(field: &str, raw: &str) -> Result<Vec<DateRange>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| DateRange::parse(field, s))
        .collect()
}

/// Blackout dates, each read in its own zone (the factory's for `FACTORY_BLACKOUT`, a scenario
/// window's for its `blackout`), so the factory's and a scenario's can be joined.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Blackout {
    days: Vec<(Tz, DateRange)>,
}

impl Blackout {
    pub fn new(tz: Tz, ranges: &[DateRange]) -> Self {
        Self {
            days: ranges.iter().map(|r| (tz, *r)).collect(),
        }
    }

    /// Both blackouts at once.
    pub fn and(&self, other: &Blackout) -> Blackout {
        let mut days = self.days.clone();
        days.extend(other.days.iter().filter(|d| !self.days.contains(d)).copied());
        Blackout { days }
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The blackout date `at` falls on, and the range that makes it one.
    pub fn covering(&self, at: DateTime<Utc>) -> Option<(NaiveDate, DateRange)> {
        self.days.iter().find_map(|(tz, range)| {
            let date = at.with_timezone(tz).date_naive();
            range.contains(date).then_some((date, *range))
        })
    }

    /// No chaos may start at `at`: the message names the date and its blackout.
    pub fn check(&self, at: DateTime<Utc>) -> Result<(), String> {
        match self.covering(at) {
            Some((date, range)) => Err(format!("{date} is a blackout date ({range})")),
            None => Ok(()),
        }
    }

    /// `at` if it is on no blackout date, else the same wall-clock time in `tz` on the first
    /// day after that is open.
    pub fn next_open(&self, at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        let local = at.with_timezone(&tz).naive_local();
        let (mut date, time) = (local.date(), local.time());
        let mut candidate = at;
        // Each step passes at least one blackout day; ranges are bounded, so this ends.
        let bound = self.days.len() as u64 * (MAX_RANGE_DAYS as u64 + 1) + 1;
        for _ in 0..bound {
            if self.covering(candidate).is_none() {
                return candidate;
            }
            let Some(next) = date.checked_add_days(Days::new(1)) else {
                break;
            };
            date = next;
            candidate = earliest(tz, date.and_time(time));
        }
        candidate
    }

    /// What is left of the stretches `[start, end)` (Unix seconds, ascending) off blackout dates.
    pub fn cut(&self, pieces: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
        let shut: Vec<(i64, i64)> = self
            .days
            .iter()
            .map(|(tz, r)| {
                let end = r.to.checked_add_days(Days::new(1)).unwrap_or(r.to);
                (
                    earliest(*tz, r.from.and_time(chrono::NaiveTime::MIN)).timestamp(),
                    earliest(*tz, end.and_time(chrono::NaiveTime::MIN)).timestamp(),
                )
            })
            .collect();
        let mut open = pieces;
        for (a, b) in shut {
            open = open
                .into_iter()
                .flat_map(|(s, e)| [(s, e.min(a)), (s.max(b), e)])
                .filter(|(s, e)| s < e)
                .collect();
        }
        open
    }

    /// The list as the configuration spells it, for pages and messages.
    pub fn describe(&self) -> String {
        self.days
            .iter()
            .map(|(_, r)| r.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The first instant whose reading in `tz` is `local`, or the first after it when the zone
/// skips it (a spring-forward gap, which some zones place at midnight).
fn earliest(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut t = local;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.to_utc();
        }
        t += chrono::Duration::minutes(30);
    }
    local.and_utc()
}

#[cfg(test)]
mod tests;
