//! Chaos windows: "between 08:00 and 14:00 in America/Denver on that day", DST-correct.

use chrono::{DateTime, NaiveDate, NaiveTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::blackout::{Blackout, DateRange};
pub use super::day::parse_date;

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

/// "mon", "Tuesday", "WED": the names scenario files and the apply call both accept.
pub fn parse_weekday(field: &str, raw: &str) -> Result<Weekday, String> {
    raw.parse::<Weekday>()
        .map_err(|_| format!("{field}: {raw:?} is not a day of the week (mon, tue, wed, thu, fri, sat, sun)"))
}

/// The calendar day after `now` in `tz`.
pub fn next_day(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    let today = now.with_timezone(&tz).date_naive();
    today.succ_opt().unwrap_or(today)
}

/// Why a window gives no moment to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowError {
    /// Every wall-clock time of the window is skipped by the zone (a spring-forward gap).
    NoMoment,
    /// The window is over.
    Ended,
    /// The date is at the edge of what the calendar can represent.
    OutOfRange,
    /// What is left of the window lies on blackout dates: the first one and its range.
    Blackout(NaiveDate, DateRange),
}

impl WindowError {
    /// The message a client reads.
    pub fn message(self, w: &ChaosWindow) -> String {
        let span = format!(
            "{}-{} on {} in {}",
            w.from.format("%H:%M"),
            w.to.format("%H:%M"),
            w.date,
            w.tz
        );
        match self {
            WindowError::NoMoment => format!("window {span} holds no moment: the zone skips it (daylight saving)"),
            WindowError::Ended => format!("window {span} has already ended"),
            WindowError::OutOfRange => format!("window.date {} is out of range", w.date),
            WindowError::Blackout(date, range) => {
                format!("window {span} has no moment off blackout dates: {date} is a blackout date ({range})")
            }
        }
    }
}

/// A stretch `[start, end)` of instants, as Unix seconds.
type Piece = (i64, i64);

/// Seconds between offset probes: no zone changes its offset twice this close together.
const PROBE: i64 = 15 * 60;
/// Offsets lie within ±15 hours, so every instant of a window is this close to its reading.
const MARGIN: i64 = 15 * 3600;

fn offset_at(tz: Tz, secs: i64) -> Result<i64, WindowError> {
    let t = DateTime::from_timestamp(secs, 0).ok_or(WindowError::OutOfRange)?;
    Ok(i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc(),
    ))
}

fn instant(secs: i64) -> Result<DateTime<Utc>, WindowError> {
    DateTime::from_timestamp(secs, 0).ok_or(WindowError::OutOfRange)
}

impl ChaosWindow {
    /// The window's wall-clock interval `[from, to)` as readings in Unix seconds; one whose end
    /// is not after its start (22:00–02:00) runs past midnight into the next day.
    fn local_interval(&self) -> Option<(i64, i64)> {
        let end_date = if self.to <= self.from {
            self.date.succ_opt()?
        } else {
            self.date
        };
        Some((
            self.date.and_time(self.from).and_utc().timestamp(),
            end_date.and_time(self.to).and_utc().timestamp(),
        ))
    }

    /// Every instant whose wall-clock reading lies in the window, as ascending pieces. Read this
    /// way, a time skipped by spring-forward holds no instant and a time repeated by fall-back
    /// holds both, so a draw is always inside the window as a clock on the wall shows it.
    fn pieces(&self) -> Result<Vec<Piece>, WindowError> {
        let (from, to) = self.local_interval().ok_or(WindowError::OutOfRange)?;
        let (mut t, last) = (from - MARGIN, to + MARGIN);
        let mut pieces = Vec::new();
        while t < last {
            // A stretch of one offset: probe forward, then bisect to the second it changes.
            let offset = offset_at(self.tz, t)?;
            let mut low = t;
            let mut high = loop {
                let next = (low + PROBE).min(last);
                if next == last || offset_at(self.tz, next)? != offset {
                    break next;
                }
                low = next;
            };
            while high - low > 1 && offset_at(self.tz, high)? != offset {
                let mid = low + (high - low) / 2;
                if offset_at(self.tz, mid)? == offset {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            // Instants of the stretch whose reading (instant + offset) is in [from, to).
            let (start, stop) = (t.max(from - offset), high.min(to - offset));
            if start < stop {
                pieces.push((start, stop));
            }
            t = high;
        }
        if pieces.is_empty() {
            Err(WindowError::NoMoment)
        } else {
            Ok(pieces)
        }
    }

    /// The first and the last instant of the window `[start, end)`.
    pub fn bounds(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), WindowError> {
        let pieces = self.pieces()?;
        Ok((instant(pieces[0].0)?, instant(pieces[pieces.len() - 1].1)?))
    }

    /// Whether any moment of the window lies off `blackout`'s dates.
    pub fn open_under(&self, blackout: &Blackout) -> bool {
        self.pieces().is_ok_and(|p| !blackout.cut(p).is_empty())
    }

    /// A uniformly drawn second of what is left of the window at `now` off `blackout`'s dates;
    /// `draw(low, high)` returns a value in `low..high`. A window open now draws from now on,
    /// never before.
    pub fn pick(
        &self,
        now: DateTime<Utc>,
        blackout: &Blackout,
        draw: impl FnOnce(i64, i64) -> i64,
    ) -> Result<DateTime<Utc>, WindowError> {
        // From the next whole second on, so a draw is never before `now`.
        let floor = now.timestamp() + i64::from(now.timestamp_subsec_nanos() > 0);
        let ahead: Vec<Piece> = self
            .pieces()?
            .into_iter()
            .map(|(start, end)| (start.max(floor), end))
            .filter(|(start, end)| start < end)
            .collect();
        let first = ahead.first().map(|p| p.0);
        let left = blackout.cut(ahead);
        if let (true, Some(first)) = (left.is_empty(), first)
            && let Some((date, range)) = blackout.covering(instant(first)?)
        {
            return Err(WindowError::Blackout(date, range));
        }
        let total: i64 = left.iter().map(|(start, end)| end - start).sum();
        if total == 0 {
            return Err(WindowError::Ended);
        }
        let mut offset = draw(0, total).clamp(0, total - 1);
        for (start, end) in &left {
            if offset < end - start {
                return instant(start + offset);
            }
            offset -= end - start;
        }
        // Not reached: the offset is below the total of the pieces.
        instant(left[left.len() - 1].1 - 1)
    }
}

#[cfg(test)]
mod tests;
