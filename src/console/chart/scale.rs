//! The chart's scales: how long a bar lasts, how tall the axis goes, where time labels fall.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;

/// Bars at most: more would be thinner than a pixel at 360 px wide.
const MAX_BARS: i64 = 90;
/// Time labels at most along the axis, so they never touch at 360 px wide.
const MAX_TIME_LABELS: i64 = 6;
/// Round lengths of a bar or of a label step, in minutes.
const STEPS: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];

/// `a / b` rounded up, for a non-negative `a` and a positive `b` (`i64::div_ceil` is unstable).
fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

/// The minutes one bar covers for a window of `span_minutes`: one minute unless that makes too
/// many bars (a long incident), then the smallest round length that fits.
pub fn bar_minutes(span_minutes: i64) -> i64 {
    STEPS
        .into_iter()
        .find(|step| ceil_div(span_minutes, *step) <= MAX_BARS)
        .unwrap_or_else(|| ceil_div(span_minutes, MAX_BARS).max(1))
}

/// The start of the bar of `bar` minutes that `t` falls in, counted from the Unix epoch (UTC).
pub fn bar_start(t: DateTime<Utc>, bar: i64) -> DateTime<Utc> {
    let ms = bar * 60_000;
    DateTime::from_timestamp_millis(t.timestamp_millis().div_euclid(ms) * ms).unwrap_or(t)
}

/// A round tick step such that four steps reach at least `max`: the axis top is `4 * step`.
pub fn count_step(max: u64) -> u64 {
    let mut magnitude = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let step = m.saturating_mul(magnitude);
            if step.saturating_mul(4) >= max || step == u64::MAX {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// Instants in `[from, to]` where the wall clock of `tz` shows a round time, as many as fit.
pub fn time_ticks(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Vec<DateTime<Utc>> {
    let span = (to - from).num_minutes().max(1);
    let step = STEPS
        .into_iter()
        .find(|s| span / s < MAX_TIME_LABELS)
        .unwrap_or_else(|| ceil_div(span, MAX_TIME_LABELS));
    // The first whole minute at or after `from` whose local time is a multiple of the step.
    let mut t = bar_start(from + Duration::seconds(59), 1);
    let round = |t: DateTime<Utc>| {
        let local = t.with_timezone(&tz);
        i64::from(local.hour() * 60 + local.minute()) % step.min(1440) == 0
    };
    let mut ticks = Vec::new();
    for _ in 0..step.min(1440) {
        if round(t) {
            break;
        }
        t += Duration::minutes(1);
    }
    while t <= to {
        ticks.push(t);
        t += Duration::minutes(step);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_bar_is_a_minute_until_there_would_be_too_many() {
        assert_eq!(bar_minutes(15), 1);
        assert_eq!(bar_minutes(90), 1);
        assert_eq!(bar_minutes(91), 2);
        assert_eq!(bar_minutes(600), 10);
        assert_eq!(bar_minutes(30 * 24 * 60), 720);
        assert_eq!(bar_minutes(60 * 24 * 60), 1440);
        assert_eq!(bar_minutes(400 * 24 * 60), 6400);
    }

    #[test]
    fn the_count_axis_goes_to_four_round_steps() {
        assert_eq!(count_step(0), 1);
        assert_eq!(count_step(4), 1);
        assert_eq!(count_step(5), 2);
        assert_eq!(count_step(17), 5);
        assert_eq!(count_step(21), 10);
        assert_eq!(count_step(3_900), 1_000);
        assert!(count_step(u64::MAX).saturating_mul(4) == u64::MAX);
    }

    #[test]
    fn time_labels_fall_on_round_local_times() {
        let denver = chrono_tz::America::Denver;
        let from = Utc.with_ymd_and_hms(2026, 12, 1, 18, 55, 30).unwrap();
        let ticks = time_ticks(from, from + Duration::minutes(25), denver);
        let local: Vec<String> = ticks
            .iter()
            .map(|t| t.with_timezone(&denver).format("%H:%M").to_string())
            .collect();
        assert_eq!(local, ["12:00", "12:05", "12:10", "12:15", "12:20"]);
        // Kolkata is 5:30 ahead: the labels still read round there.
        let kolkata = chrono_tz::Asia::Kolkata;
        let ticks = time_ticks(from, from + Duration::minutes(25), kolkata);
        assert_eq!(ticks[0].with_timezone(&kolkata).format("%H:%M").to_string(), "00:30");
    }
}
