//! Scheduling a chaos: an admin's or a campaign's, and a vendor's own request, which may replace
//! only what that vendor itself asked for.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{ChaosError, ChaosRequest, Start, settle};
use crate::directory::LiveChaos;
use crate::domain::chaos::check_max_duration;
use crate::domain::incident::Stats;
use crate::domain::{Blackout, FixCode, Incident, IncidentState, TimelineEvent, VendorId};
use crate::factory::Factory;
use crate::store::{OpenIncident, Recorded, StoreError};

/// Schedules a chaos for an admin or a campaign; any open chaos of the vendor is a conflict.
pub async fn schedule(
    f: &Factory,
    vendor: &VendorId,
    request: ChaosRequest,
    initiated_by: String,
) -> Result<Incident, ChaosError> {
    let incident = record(f, vendor, request, initiated_by, false)
        .await?
        .ok_or_else(|| ChaosError::Pending(vendor.clone()))?;
    Ok(f.store.incident(incident.id).await?.unwrap_or(incident))
}

/// A vendor's own request. It replaces a scheduled chaos only if this vendor asked for that one
/// too; one an admin or a campaign scheduled is kept (with a note on its timeline), and the
/// caller answers exactly as if it had been replaced, so the surprise stays a surprise.
pub async fn request_own(f: &Factory, vendor: &VendorId, request: ChaosRequest) -> Result<(), ChaosError> {
    record(f, vendor, request, format!("vendor:{vendor}"), true).await?;
    Ok(())
}

/// The instant a requested start means at `now`; a past instant, an ended window or a start on
/// a blackout date is refused (a window draws only off blackout dates).
pub(super) fn start_instant(f: &Factory, start: Start, now: DateTime<Utc>) -> Result<DateTime<Utc>, ChaosError> {
    let blackout = f.blackout();
    let at = match start {
        Start::Now => now,
        Start::At(t) if t < now - Duration::seconds(5) => {
            return Err(ChaosError::Invalid("start must not be in the past".into()));
        }
        Start::At(t) => t.max(now),
        Start::Window(w) => {
            return w
                .pick(now, &blackout, |low, high| f.draws.below(low, high))
                .map_err(|e| ChaosError::Invalid(e.message(&w)));
        }
    };
    blackout.check(at).map_err(ChaosError::Invalid)?;
    Ok(at)
}

/// A vendor's own request is never refused for a blackout: a start drawn on one moves to the
/// same local time on the next open day, and the vendor gets the same answer as ever.
fn own_start_instant(f: &Factory, start: Start, now: DateTime<Utc>) -> Result<DateTime<Utc>, ChaosError> {
    let drawn = match start {
        Start::Window(w) => w
            .pick(now, &Blackout::default(), |low, high| f.draws.below(low, high))
            .map_err(|e| ChaosError::Invalid(e.message(&w)))?,
        other => start_instant(f, other, now)?,
    };
    Ok(f.blackout().next_open(drawn, f.config.time_zone))
}

/// Records the incident in the store, then in the directory; `None` if a kept one stands.
async fn record(
    f: &Factory,
    vendor: &VendorId,
    request: ChaosRequest,
    initiated_by: String,
    own_request: bool,
) -> Result<Option<Incident>, ChaosError> {
    let entry = match f.directory.by_id(vendor) {
        Some(entry) => entry,
        None => {
            // Created a moment ago through another instance behind the same address, perhaps.
            f.refresh().await?;
            f.directory
                .by_id(vendor)
                .ok_or_else(|| ChaosError::UnknownVendor(vendor.clone()))?
        }
    };
    let now = f.clock.now();
    let max_duration_secs = request
        .max_duration_secs
        .map(check_max_duration)
        .transpose()
        .map_err(ChaosError::Invalid)?;
    let params = request
        .params
        .validate(request.mode, f.config.max_delay_ms, f.draws.next_u64())
        .map_err(ChaosError::Invalid)?;
    let start = if own_request {
        own_start_instant(f, request.start, now)?
    } else {
        start_instant(f, request.start, now)?
    };
    let (start_at, held) = super::postpone::postponed(f, start, now);
    let incident = Incident {
        id: Uuid::new_v4(),
        vendor_id: vendor.clone(),
        vendor_uid: Some(entry.vendor.uid),
        mode: request.mode,
        params,
        state: IncidentState::Scheduled,
        initiated_by: initiated_by.clone(),
        initiated_at: now,
        start_at,
        start_at_local: None,
        started_at: None,
        first_failure_at: None,
        resolved_at: None,
        resolved_by: None,
        max_duration_secs,
        stats: Stats::default(),
        timeline: vec![TimelineEvent::new(
            now,
            "scheduled",
            format!(
                "{} chaos scheduled by {initiated_by} to start at {}{held}",
                request.mode,
                super::report::local_time(start_at, f.config.time_zone)
            ),
        )],
        minutes: Vec::new(),
        voided: None,
        drill: request.drill,
    };
    let fix_code = FixCode::generate();
    let recorded = f
        .store
        .create_incident(&incident, &fix_code, own_request)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) if own_request => ChaosError::Active(vendor.clone()),
            StoreError::Conflict(_) => ChaosError::Pending(vendor.clone()),
            // Deleted meanwhile, perhaps through another instance.
            StoreError::NotFound(_) => ChaosError::UnknownVendor(vendor.clone()),
            other => other.into(),
        })?;
    match recorded {
        // Only at DEBUG: a log reader must not learn that this vendor has chaos coming.
        Recorded::Kept(kept) => {
            log::debug!("vendor {vendor} asked for chaos of its own; incident {kept} was kept");
            return Ok(None);
        }
        Recorded::New { replaced: Some(old) } => {
            log::info!("incident {old} of vendor {vendor} cancelled: replaced by a new request");
        }
        Recorded::New { replaced: None } => {}
    }
    let live = Arc::new(LiveChaos::from_open(
        OpenIncident {
            incident: incident.clone(),
            fix_code,
        },
        &f.public_url,
        f.stats.counters(incident.id),
    ));
    f.directory.set_chaos(vendor, Some(live.clone()));
    log::info!(
        "incident {} scheduled by {initiated_by}: {} chaos for vendor {vendor}",
        incident.id,
        incident.mode
    );
    // The instant only at DEBUG: at INFO anyone reading the log would know when chaos comes.
    log::debug!(
        "incident {} starts at {}",
        incident.id,
        crate::domain::instant::format(&start_at)
    );
    if live.is_due(now) {
        settle::record_start(f, &live).await?;
    }
    Ok(Some(incident))
}
