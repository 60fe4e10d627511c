//! Moving a scheduled chaos to another start: the same incident (mode, params, maximum
//! duration, fix code, initiator), its move on the timeline. Once it has started it stays put.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::report::local_time;
use super::schedule::start_instant;
use super::{ChaosError, Start, settle};
use crate::directory::LiveChaos;
use crate::domain::{Incident, IncidentState, TimelineEvent, VendorId};
use crate::factory::Factory;
use crate::store::StoreError;
use chrono::{DateTime, Utc};

/// Moves the vendor's scheduled chaos to `start`, checked as a new request's start would be (and
/// held back by a pause the same way). A start of now bites at once.
pub async fn reschedule(f: &Factory, vendor: &VendorId, start: Start, by: &str) -> Result<Incident, ChaosError> {
    if f.directory.by_id(vendor).is_none() {
        // Created a moment ago through another instance, perhaps.
        f.refresh().await?;
    }
    // A second try after a reload, for a chaos another instance had moved a moment before.
    for _ in 0..2 {
        let entry = f
            .directory
            .by_id(vendor)
            .ok_or_else(|| ChaosError::UnknownVendor(vendor.clone()))?;
        let live = entry
            .chaos
            .clone()
            .ok_or_else(|| ChaosError::NotScheduled(vendor.clone()))?;
        let now = f.clock.now();
        if live.started.load(Ordering::Acquire) || f.directory.bites(&live, now) {
            return Err(ChaosError::Active(vendor.clone()));
        }
        let (to, held) = super::postpone::postponed(f, start_instant(f, start.clone(), now)?, now);
        let tz = f.config.time_zone;
        let detail = format!(
            "moved by {by} from {} to {}{held}",
            local_time(live.start_at, tz),
            local_time(to, tz)
        );
        if move_start(f, &live, to, detail).await? {
            log::info!("incident {} of vendor {vendor} moved by {by}", live.incident_id);
            return f
                .store
                .incident(live.incident_id)
                .await?
                .ok_or_else(|| ChaosError::NotScheduled(vendor.clone()));
        }
        if let Some(i) = f.store.incident(live.incident_id).await?
            && i.state == IncidentState::Active
        {
            return Err(ChaosError::Active(vendor.clone()));
        }
    }
    Err(ChaosError::NotScheduled(vendor.clone()))
}

/// Moves a scheduled chaos in the store (only if it is still scheduled at the start this
/// instance knows), then in the directory; false, after a reload, if the store said no.
pub(super) async fn move_start(
    f: &Factory,
    live: &LiveChaos,
    to: DateTime<Utc>,
    detail: String,
) -> Result<bool, StoreError> {
    let now = f.clock.now();
    let event = TimelineEvent::new(now, "rescheduled", detail);
    if !f
        .store
        .reschedule_incident(live.incident_id, live.start_at, to, &event)
        .await?
    {
        f.reload().await?;
        return Ok(false);
    }
    let moved = Arc::new(live.moved(to));
    f.directory
        .replace_chaos(&live.vendor_id, live.incident_id, Some(moved.clone()));
    // The instant only at DEBUG: at INFO anyone reading the log would know when chaos comes.
    log::debug!(
        "incident {} now starts at {}",
        live.incident_id,
        crate::domain::instant::format(&to)
    );
    if moved.is_due(now) && f.directory.pause_until(now).is_none() {
        settle::record_start(f, &moved).await?;
    }
    Ok(true)
}
