//! Ending open chaos (an admin's end, a halt, a vendor's deletion): the store chooses each
//! incident's transition from its stored state, so every instance answers alike whatever it has
//! cached; this instance then forgets what ended.

use chrono::{DateTime, Utc};

use super::ChaosError;
use crate::domain::{Incident, IncidentState, ResolvedBy, TimelineEvent, VendorId};
use crate::factory::Factory;
use crate::store::{EndedIncident, VendorEnding};

/// The ending at `now` by `by`; `why` is appended to each timeline entry.
pub(super) fn ending(now: DateTime<Utc>, by: &str, why: &str, cancel_scheduled: bool) -> VendorEnding {
    VendorEnding {
        at: now,
        cancel_scheduled,
        cancelled: TimelineEvent::new(now, "cancelled", format!("cancelled by {by} before it started{why}")),
        resolved: TimelineEvent::new(now, "resolved", format!("ended by {by}{why}")),
        halted: false,
    }
}

/// Takes what the store ended out of the directory (the caller reloads instead when it ended
/// every vendor's: `None`), counting and logging each.
pub(super) fn forget_ended(f: &Factory, vendor: Option<&VendorId>, ended: &[EndedIncident], by: &str, why: &str) {
    for incident in ended {
        if let Some(vendor) = vendor {
            f.directory.clear_chaos(vendor, incident.id);
        }
        match incident.state {
            IncidentState::Resolved => super::record_end_of(f, incident.start_at, ResolvedBy::Admin, incident.at),
            IncidentState::Expired => super::record_end_of(f, incident.start_at, ResolvedBy::Expiry, incident.at),
            _ => {}
        }
        log::info!(
            "incident {} {}{}",
            incident.id,
            incident.state.as_str(),
            match incident.state {
                IncidentState::Expired => " (its maximum duration had passed)".to_owned(),
                _ => format!(" by {by}{why}"),
            }
        );
    }
}

/// Ends a vendor's chaos: a scheduled one is cancelled, one that has been biting resolved by an
/// admin; one past its maximum duration has already ended by itself, whoever asks now.
pub async fn end(f: &Factory, vendor: &VendorId, by: &str, reason: Option<&str>) -> Result<Incident, ChaosError> {
    let now = f.clock.now();
    // The counters first, so the incident answered carries every order this instance saw.
    super::settle::flush_stats(f).await;
    let why = reason.map(|r| format!(" (reason: {r})")).unwrap_or_default();
    let ended = f
        .store
        .end_open_incidents(Some(vendor), &ending(now, by, &why, true))
        .await?;
    forget_ended(f, Some(vendor), &ended, by, &why);
    let Some(incident) = ended.iter().find(|e| e.state != IncidentState::Expired) else {
        return Err(ChaosError::NoChaos(vendor.clone()));
    };
    f.store
        .incident(incident.id)
        .await?
        .ok_or_else(|| ChaosError::NoChaos(vendor.clone()))
}
