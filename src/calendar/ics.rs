//! One VEVENT per incident, written by the `icalendar` crate: line folding, escaping and the
//! UTC date-time form are its job, not ours.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::domain::{Incident, IncidentState};
use crate::factory::Factory;

/// How far back a feed reaches: a term and its make-up weeks, with room to spare.
pub const FEED_HORIZON_DAYS: i64 = 400;

/// Length a feed gives a chaos with no maximum duration that has not ended yet: an hour, a
/// typical time to resolve, so the event is visible without claiming the rest of the day.
const OPEN_ENDED: Duration = Duration::hours(1);

/// When the event ends: when the chaos ended, else when it will at the latest (its maximum
/// duration), else an hour after its start.
pub fn event_end(i: &Incident) -> DateTime<Utc> {
    let start = i.started_at.unwrap_or(i.start_at);
    i.resolved_at.unwrap_or_else(|| {
        i.max_duration_secs
            .and_then(|s| i64::try_from(s).ok())
            .map_or(start + OPEN_ENDED, |s| start + Duration::seconds(s))
    })
}

fn event(f: &Factory, i: &Incident, stamp: DateTime<Utc>) -> Event {
    let vendor = f
        .directory
        .by_id(&i.vendor_id)
        .map_or_else(|| i.vendor_id.to_string(), |e| e.vendor.name.clone());
    let state = i.state.as_str();
    let status = if i.state == IncidentState::Scheduled {
        EventStatus::Tentative
    } else {
        EventStatus::Confirmed
    };
    Event::new()
        .uid(&i.id.to_string())
        .timestamp(stamp)
        .starts(i.started_at.unwrap_or(i.start_at))
        .ends(event_end(i))
        .summary(&format!("{} chaos: {vendor}", i.mode))
        .description(&format!(
            "State: {state}. Vendor: {} ({vendor}). Scheduled by {}.",
            i.vendor_id, i.initiated_by
        ))
        .status(status)
        .url(&format!("{}/admin/incidents/{}", f.public_url, i.id))
        .done()
}

/// The whole feed; `stamp` (DTSTAMP) comes from the factory's clock.
pub fn calendar(f: &Factory, incidents: &[Incident], stamp: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name("Pizza Factory chaos");
    for i in incidents {
        cal.push(event(f, i, stamp));
    }
    cal.done().to_string()
}
