//! Where a start lands when a pause holds: after the pause, at a random moment of the next
//! whole daily window. Scheduling, moving and the pause itself all place starts this way.

use chrono::{DateTime, Utc};

use super::report::local_time;
use crate::domain::ChaosWindow;
use crate::factory::Factory;

/// A start requested at `now`, moved after the pause if it would fall inside one; the second
/// value is a note for the timeline when it was moved.
pub(super) fn postponed(f: &Factory, start: DateTime<Utc>, now: DateTime<Utc>) -> (DateTime<Utc>, String) {
    match f.directory.pause_until(now) {
        Some(until) if start < until => (
            after_pause(f, until),
            format!(
                " (postponed: chaos is paused until {})",
                local_time(until, f.config.time_zone)
            ),
        ),
        _ => (start, String::new()),
    }
}

/// A random moment of the configured daily window on the first day whose window opens at or
/// after `until` and is not a blackout date: a whole window to draw from, never the sliver left
/// of one the pause cut.
pub(super) fn after_pause(f: &Factory, until: DateTime<Utc>) -> DateTime<Utc> {
    let (from, to) = f.config.chaos_window;
    let tz = f.config.time_zone;
    let mut date = until.with_timezone(&tz).date_naive();
    let blackout = f.blackout();
    // A week past the blackout days is plenty: besides them, only a window the zone skips
    // entirely (a DST gap) is passed over.
    let days = 7 + crate::domain::blackout::MAX_RANGE_DAYS as usize * f.config.blackout.0.len();
    for _ in 0..days {
        let window = ChaosWindow { from, to, tz, date };
        if let Ok((start, _)) = window.bounds()
            && start >= until
            && let Ok(t) = window.pick(until, &blackout, |low, high| f.draws.below(low, high))
        {
            return t;
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    until
}
