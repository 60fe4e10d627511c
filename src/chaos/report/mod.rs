//! The incident report: what an engineer would file after the incident, in Markdown.

mod lessons;
pub mod words;

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub use words::bitcoin;
use words::{count, duration, money, ordinal};

use crate::domain::{ChaosMode, Incident, IncidentState, ResolvedBy};

/// How a report speaks to its reader: the zone its instants are told in, and the exchange rate
/// its money is also shown in (`FACTORY_BTC_USD`).
#[derive(Clone, Copy, Debug)]
pub struct Audience {
    pub tz: Tz,
    pub btc_usd: Option<f64>,
}

impl Audience {
    /// This factory's instructors, as its configuration describes them.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            tz: config.time_zone,
            btc_usd: config.btc_usd,
        }
    }
}

fn clock_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M:%S %Z").to_string()
}

/// An instant in the reader's zone, the form every text for people uses.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
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
            (Some(1), _) => "every order failed with status 500".into(),
            (Some(n), _) => format!("every {} order failed with status 500", ordinal(n)),
            (_, prob) => format!(
                "orders failed with status 500 with probability {}",
                prob.unwrap_or_default()
            ),
        },
    }
}

/// Who ended an incident and why, from its `resolved` timeline entry ("ended by admin:ada
/// (reason: exam)" reads "admin:ada (reason: exam)").
fn ended_by(incident: &Incident) -> Option<&str> {
    let event = incident.timeline.iter().rev().find(|e| e.kind == "resolved")?;
    event.detail.strip_prefix("ended by ")
}

fn resolution(incident: &Incident, tz: Tz) -> String {
    let at = incident.resolved_at.map(|t| clock_time(t, tz)).unwrap_or_default();
    match (incident.state, incident.resolved_by) {
        (IncidentState::Resolved, Some(ResolvedBy::Report)) => format!(
            "Resolved at {at} by the vendor's on-call engineer, who called the report URL found in the logs \
             (the incident's single-use fix code). The next order was served normally."
        ),
        (IncidentState::Resolved, _) => match ended_by(incident) {
            Some(who) => {
                format!("Ended at {at} by an instructor ({who}) through the admin API, not by the vendor's team.")
            }
            None => format!("Ended at {at} by an instructor through the admin API, not by the vendor's team."),
        },
        (IncidentState::Expired, _) => format!(
            "Nobody resolved it: the chaos ended by itself at {at}, after its maximum duration of {}.",
            duration(incident.max_duration_secs.unwrap_or_default() as i64)
        ),
        (IncidentState::Cancelled, _) => "Cancelled before it started; no order was affected.".into(),
        (IncidentState::Active, _) => "Not resolved yet: the chaos is still active.".into(),
        (IncidentState::Scheduled, _) => "Not started yet.".into(),
    }
}

/// How it ended, in a few words for the summary; the Resolution section tells it in full.
fn ending(incident: &Incident) -> &'static str {
    match incident.resolved_by {
        Some(ResolvedBy::Report) => "The vendor's team resolved it through the report URL.",
        Some(ResolvedBy::Admin) => "An instructor ended it.",
        Some(ResolvedBy::Expiry) => "Nobody resolved it; it expired.",
        None => "",
    }
}

fn failed_orders(n: u64) -> String {
    match n {
        0 => "No order failed".into(),
        n => count(n, "order failed", "orders failed"),
    }
}

pub fn render(incident: &Incident, audience: Audience) -> String {
    let tz = audience.tz;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Incident report: `{}` chaos on vendor `{}`\n",
        incident.mode, incident.vendor_id
    );
    let _ = writeln!(
        out,
        "Incident `{}`, state **{}**.\n",
        incident.id,
        incident.state.as_str()
    );
    summary(&mut out, incident, audience);
    detection(&mut out, incident, tz);
    impact(&mut out, incident, audience);

    let _ = writeln!(out, "\n## Timeline\n");
    let _ = writeln!(out, "| Time | Event |\n|---|---|");
    for e in &incident.timeline {
        let _ = writeln!(
            out,
            "| {} | {}: {} |",
            local_time(e.at, tz),
            e.kind.replace('_', " "),
            e.detail.replace('|', "/")
        );
    }

    let _ = writeln!(out, "\n## Root Cause\n");
    let params = serde_json::to_string(&incident.params).unwrap_or_default();
    let params = if params == "{}" {
        String::new()
    } else {
        format!(" Parameters: `{params}`.")
    };
    let _ = writeln!(
        out,
        "The pizza factory injected chaos `{}` on purpose ({}), initiated by {} at {} and set to start at {}.{params}",
        incident.mode,
        what_it_did(incident),
        incident.initiated_by,
        local_time(incident.initiated_at, tz),
        local_time(incident.start_at, tz),
    );

    let _ = writeln!(out, "\n## Resolution\n");
    let _ = writeln!(out, "{}", resolution(incident, tz));

    let _ = writeln!(out, "\n## Prevention\n");
    let _ = writeln!(out, "{}", lessons::prevention(incident.mode));
    let _ = writeln!(out, "\n## Action Items\n");
    for item in lessons::action_items(incident.mode).iter().chain(&lessons::ALWAYS) {
        let _ = writeln!(out, "- [ ] {item}");
    }
    out
}

fn summary(out: &mut String, incident: &Incident, audience: Audience) {
    let (s, mode, tz) = (&incident.stats, incident.mode, audience.tz);
    let _ = writeln!(out, "## Summary\n");
    let _ = match (incident.started_at, incident.resolved_at) {
        (Some(start), Some(end)) => writeln!(
            out,
            "Chaos `{mode}` ran against vendor `{}` from {} to {} on {}: {} for {}. {}, about {} of revenue \
             was lost. {}\n",
            incident.vendor_id,
            clock_time(start, tz),
            clock_time(end, tz),
            start.with_timezone(&tz).format("%A %-d %B %Y"),
            what_it_did(incident),
            duration(incident.seconds_to_resolve().unwrap_or_default()),
            failed_orders(s.orders_failed),
            money(s.lost_revenue, audience.btc_usd),
            ending(incident),
        ),
        (Some(start), None) => writeln!(
            out,
            "Chaos `{mode}` has been active against vendor `{}` since {}: {}.\n",
            incident.vendor_id,
            local_time(start, tz),
            what_it_did(incident)
        ),
        _ => writeln!(
            out,
            "Chaos `{mode}` against vendor `{}` never started ({}).\n",
            incident.vendor_id,
            incident.state.as_str()
        ),
    };
}

fn detection(out: &mut String, incident: &Incident, tz: Tz) {
    let _ = writeln!(out, "## Detection\n");
    let Some(start) = incident.started_at else {
        let _ = writeln!(out, "- Not applicable: the chaos never started.");
        return;
    };
    let _ = writeln!(
        out,
        "- Chaos began at {}, unannounced to the vendor.",
        local_time(start, tz)
    );
    let _ = match incident.first_failure_at {
        Some(first) => writeln!(
            out,
            "- First failed order at {} ({} after the start).",
            clock_time(first, tz),
            duration((first - start).num_seconds())
        ),
        None => writeln!(out, "- No order failed outright."),
    };
    let wrong = incident.stats.wrong_fix_codes;
    let _ = match wrong {
        0 => writeln!(out, "- No wrong fix code was tried."),
        n => writeln!(
            out,
            "- {} tried before the right one.",
            count(n, "wrong fix code was", "wrong fix codes were")
        ),
    };
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
            duration(incident.seconds_to_resolve().unwrap_or_default())
        );
    }
}

fn impact(out: &mut String, incident: &Incident, audience: Audience) {
    let s = &incident.stats;
    let share = if s.orders_affected > 0 {
        s.orders_failed as f64 * 100.0 / s.orders_affected as f64
    } else {
        0.0
    };
    let status = incident
        .mode
        .failure_status()
        .unwrap_or("no failure status (orders were slowed, not refused)");
    let _ = writeln!(out, "\n## Impact\n");
    let lasted = incident
        .seconds_to_resolve()
        .map(duration)
        .unwrap_or_else(|| "ongoing or not started".into());
    let _ = writeln!(out, "- Duration: {lasted}");
    let _ = writeln!(
        out,
        "- Failed orders: {} of {} attempted ({share:.0}%), answered with {status}",
        s.orders_failed, s.orders_affected
    );
    let _ = writeln!(
        out,
        "- Financial impact: {} of lost revenue",
        money(s.lost_revenue, audience.btc_usd)
    );
    let _ = writeln!(
        out,
        "- Orders served with a valid ticket during the chaos: {}",
        s.orders_succeeded
    );
}
