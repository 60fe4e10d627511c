//! The incident report: what an engineer would file after the incident, in Markdown.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::{ChaosMode, Incident, IncidentState, ResolvedBy};

/// "8 minutes 28 seconds".
pub fn duration_words(secs: i64) -> String {
    let (m, s) = (secs / 60, secs % 60);
    let unit = |n: i64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if m == 0 {
        unit(s, "second")
    } else {
        format!("{} {}", unit(m, "minute"), unit(s, "second"))
    }
}

/// ₿ amounts without float noise: 0.4, 0.0038.
pub fn bitcoin(amount: f64) -> String {
    let text = format!("{:.8}", crate::domain::order::Order::round(amount));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} ₿")
}

fn clock_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S %Z").to_string()
}

fn full_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z").to_string()
}

fn what_it_did(incident: &Incident) -> String {
    let p = &incident.params;
    match incident.mode {
        ChaosMode::Fail => "every order failed with status 500".into(),
        ChaosMode::Throttle => format!(
            "every order was held {} ms before it was answered",
            p.delay_ms.unwrap_or_default()
        ),
        ChaosMode::Badjwt => "every order got a forged ticket that fails verification".into(),
        ChaosMode::Expiredjwt => "every order got a ticket that had already expired".into(),
        ChaosMode::Overload => "every order was refused with status 503 (the oven is full)".into(),
        ChaosMode::Flaky => match (p.every_nth, p.probability) {
            (Some(n), _) => format!("every {n}th order failed with status 500"),
            (_, prob) => format!(
                "orders failed with status 500 with probability {}",
                prob.unwrap_or_default()
            ),
        },
    }
}

fn resolution(incident: &Incident, tz: Tz) -> String {
    let at = incident.resolved_at.map(|t| clock_time(t, tz)).unwrap_or_default();
    match (incident.state, incident.resolved_by) {
        (IncidentState::Resolved, Some(ResolvedBy::Report)) => format!(
            "Resolved at {at} by the vendor's on-call engineer, who called the report URL found in the logs \
             (the incident's single-use fix code). The next order was served normally."
        ),
        (IncidentState::Resolved, _) => format!(
            "Ended at {at} by an instructor through the admin API, not by the vendor's team. {}",
            incident
                .timeline
                .iter()
                .rev()
                .find(|e| e.kind == "resolved")
                .map(|e| e.detail.as_str())
                .unwrap_or("")
        ),
        (IncidentState::Expired, _) => format!(
            "Nobody resolved it: the chaos ended by itself at {at}, after its maximum duration of {}.",
            duration_words(incident.max_duration_secs.unwrap_or_default() as i64)
        ),
        (IncidentState::Cancelled, _) => "Cancelled before it started; no order was affected.".into(),
        (IncidentState::Active, _) => "Not resolved yet: the chaos is still active.".into(),
        (IncidentState::Scheduled, _) => "Not started yet.".into(),
    }
}

pub fn render(incident: &Incident, tz: Tz) -> String {
    let s = &incident.stats;
    let mode = incident.mode;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Incident report: `{mode}` chaos on vendor `{}`\n",
        incident.vendor_id
    );
    let _ = writeln!(
        out,
        "Incident `{}`, state **{}**.\n",
        incident.id,
        incident.state.as_str()
    );

    let duration = incident.seconds_to_resolve().map(duration_words);
    let share = if s.orders_affected > 0 {
        s.orders_failed as f64 * 100.0 / s.orders_affected as f64
    } else {
        0.0
    };
    let status = mode
        .failure_status()
        .unwrap_or("no failure status (orders were slowed, not refused)");

    let _ = writeln!(out, "## Summary\n");
    match (incident.started_at, incident.resolved_at) {
        (Some(start), Some(end)) => {
            let _ = writeln!(
                out,
                "Chaos `{mode}` ran against vendor `{}` from {} to {} on {}: {} for {}. {} orders failed, \
                 about {} of revenue was lost. {}\n",
                incident.vendor_id,
                clock_time(start, tz),
                clock_time(end, tz),
                start.with_timezone(&tz).format("%A %-d %B %Y"),
                what_it_did(incident),
                duration.clone().unwrap_or_default(),
                s.orders_failed,
                bitcoin(s.lost_revenue),
                resolution(incident, tz),
            );
        }
        (Some(start), None) => {
            let _ = writeln!(
                out,
                "Chaos `{mode}` has been active against vendor `{}` since {}: {}.\n",
                incident.vendor_id,
                full_time(start, tz),
                what_it_did(incident)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "Chaos `{mode}` against vendor `{}` never started ({}).\n",
                incident.vendor_id,
                incident.state.as_str()
            );
        }
    }

    let _ = writeln!(out, "## Detection\n");
    if let Some(start) = incident.started_at {
        let _ = writeln!(
            out,
            "- Chaos began at {}, unannounced to the vendor.",
            full_time(start, tz)
        );
        match incident.first_failure_at {
            Some(first) => {
                let _ = writeln!(
                    out,
                    "- First failed order at {} ({} after the start).",
                    clock_time(first, tz),
                    duration_words((first - start).num_seconds())
                );
            }
            None => {
                let _ = writeln!(out, "- No order failed outright.");
            }
        }
        let _ = writeln!(out, "- Wrong fix codes tried: {}.", s.wrong_fix_codes);
        if let (Some(end), Some(by)) = (incident.resolved_at, incident.resolved_by) {
            let how = match by {
                ResolvedBy::Report => "the report URL was called",
                ResolvedBy::Admin => "an instructor ended it",
                ResolvedBy::Expiry => "it expired",
            };
            let _ = writeln!(
                out,
                "- At {} {how}, {} after the start.",
                clock_time(end, tz),
                duration_words((end - start).num_seconds())
            );
        }
    } else {
        let _ = writeln!(out, "- Not applicable: the chaos never started.");
    }

    let _ = writeln!(out, "\n## Impact\n");
    let _ = writeln!(
        out,
        "- Duration: {}",
        duration.unwrap_or_else(|| "ongoing or not started".into())
    );
    let _ = writeln!(
        out,
        "- Failed orders: {} of {} attempted ({share:.0}%), answered with {status}",
        s.orders_failed, s.orders_affected
    );
    let _ = writeln!(out, "- Financial impact: {} of lost revenue", bitcoin(s.lost_revenue));
    let _ = writeln!(
        out,
        "- Orders served with a valid ticket during the chaos: {}",
        s.orders_succeeded
    );

    let _ = writeln!(out, "\n## Timeline\n");
    let _ = writeln!(out, "| Time | Event |\n|---|---|");
    for e in &incident.timeline {
        let _ = writeln!(
            out,
            "| {} | {}: {} |",
            full_time(e.at, tz),
            e.kind.replace('_', " "),
            e.detail.replace('|', "/")
        );
    }

    let _ = writeln!(out, "\n## Root Cause\n");
    let _ = writeln!(
        out,
        "The pizza factory injected chaos `{mode}` on purpose ({}), initiated by {} at {} and set to start at {}. \
         Parameters: `{}`.",
        what_it_did(incident),
        incident.initiated_by,
        full_time(incident.initiated_at, tz),
        full_time(incident.start_at, tz),
        serde_json::to_string(&incident.params).unwrap_or_default(),
    );

    let _ = writeln!(out, "\n## Resolution\n");
    let _ = writeln!(out, "{}", resolution(incident, tz));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_amounts_read_naturally() {
        assert_eq!(duration_words(508), "8 minutes 28 seconds");
        assert_eq!(duration_words(61), "1 minute 1 second");
        assert_eq!(duration_words(5), "5 seconds");
        assert_eq!(bitcoin(0.05 * 8.0), "0.4 ₿");
        assert_eq!(bitcoin(0.0038), "0.0038 ₿");
        assert_eq!(bitcoin(0.0), "0 ₿");
    }
}
