//! Chaos: scheduling, moving, ending and resolving incidents; the store first, then the directory.

pub mod deletion;
pub mod engine;
pub mod pause;
mod postpone;
pub mod report;
mod reschedule;
mod schedule;
pub mod scheduler;
mod settle;
mod void;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

use crate::directory::{LiveChaos, VendorEntry};
use crate::domain::{
    ApiKey, ChaosMode, ChaosParams, ChaosWindow, Incident, IncidentState, ResolvedBy, TimelineEvent, VendorId,
};
use crate::factory::Factory;
use crate::metrics::ResolvedLabels;
use crate::store::{StoreError, Transition};
pub use reschedule::reschedule;
pub use schedule::{request_own, schedule};
pub use void::void;

/// When a chaos starts.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    Now,
    At(DateTime<Utc>),
    /// A moment drawn at random in the window.
    Window(ChaosWindow),
}

#[derive(Clone, Debug)]
pub struct ChaosRequest {
    pub mode: ChaosMode,
    pub params: ChaosParams,
    pub start: Start,
    pub max_duration_secs: Option<u64>,
    /// Made by a live drill: flagged, and left out of the default incident list.
    pub drill: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ChaosError {
    #[error("{0}")]
    Invalid(String),
    #[error("vendor {0} not found")]
    UnknownVendor(VendorId),
    #[error("vendor {0} already has chaos scheduled or active")]
    Pending(VendorId),
    #[error("vendor {0} has chaos active")]
    Active(VendorId),
    #[error("vendor {0} has no chaos scheduled or active")]
    NoChaos(VendorId),
    #[error("vendor {0} has no chaos scheduled")]
    NotScheduled(VendorId),
    #[error("incident {0} not found")]
    UnknownIncident(String),
    /// Voiding an open incident: the record would be set aside while it is still being made.
    #[error("incident {0} is still scheduled or active: end it first")]
    Open(uuid::Uuid),
    #[error("incident {0} is voided already")]
    Voided(uuid::Uuid),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Ends a vendor's chaos: a scheduled one is cancelled, an active one resolved by an admin.
pub async fn end(f: &Factory, vendor: &VendorId, by: &str, reason: Option<&str>) -> Result<Incident, ChaosError> {
    let live = f
        .directory
        .by_id(vendor)
        .and_then(|e| e.chaos.clone())
        .ok_or_else(|| ChaosError::NoChaos(vendor.clone()))?;
    let now = f.clock.now();
    // A chaos past its maximum duration has already ended by itself, whoever asks now.
    if !settle::settle_chaos(f, &live, now).await? {
        return Err(ChaosError::NoChaos(vendor.clone()));
    }
    settle::flush_stats(f).await;
    // A chaos that is due has been biting orders, unless a pause held it back.
    let biting = live.started.load(Ordering::Acquire) || (live.is_due(now) && f.directory.pause_until(now).is_none());
    if !end_live(f, &live, by, reason, biting, false).await? {
        f.reload().await?;
        return Err(ChaosError::NoChaos(vendor.clone()));
    }
    f.store
        .incident(live.incident_id)
        .await?
        .ok_or_else(|| ChaosError::NoChaos(vendor.clone()))
}

/// Ends a chaos: one that has been `biting` orders is resolved, any other cancelled; `halted`
/// when the kill switch ends it (its event is `chaos.halted`).
pub(crate) async fn end_live(
    f: &Factory,
    live: &LiveChaos,
    by: &str,
    reason: Option<&str>,
    biting: bool,
    halted: bool,
) -> Result<bool, StoreError> {
    let now = f.clock.now();
    let why = reason.map(|r| format!(" (reason: {r})")).unwrap_or_default();
    let change = if biting {
        settle::record_start(f, live).await?;
        Transition {
            to: IncidentState::Resolved,
            from: vec![IncidentState::Active],
            at: now,
            resolved_by: Some(ResolvedBy::Admin),
            event: TimelineEvent::new(now, "resolved", format!("ended by {by}{why}")),
            halted,
        }
    } else {
        Transition {
            to: IncidentState::Cancelled,
            from: vec![IncidentState::Scheduled],
            at: now,
            resolved_by: None,
            event: TimelineEvent::new(now, "cancelled", format!("cancelled by {by} before it started{why}")),
            halted,
        }
    };
    let done = f.store.transition(live.incident_id, &change).await?;
    if done {
        f.directory.clear_chaos(&live.vendor_id, live.incident_id);
        if change.to == IncidentState::Resolved {
            record_end(f, live, ResolvedBy::Admin, now);
        }
        log::info!(
            "incident {} of vendor {} {} by {by}{why}",
            live.incident_id,
            live.vendor_id,
            change.to.as_str()
        );
    }
    Ok(done)
}

/// Counts an ended chaos and how long it ran.
pub(crate) fn record_end(f: &Factory, live: &LiveChaos, by: ResolvedBy, at: DateTime<Utc>) {
    record_end_of(f, live.start_at, by, at);
}

pub(crate) fn record_end_of(f: &Factory, start_at: DateTime<Utc>, by: ResolvedBy, at: DateTime<Utc>) {
    f.metrics
        .resolved
        .get_or_create(&ResolvedLabels { by: by.as_str() })
        .inc();
    f.metrics
        .seconds_to_resolve
        .observe((at - start_at).num_milliseconds() as f64 / 1000.0);
}

/// Timeline rows one incident gathers from wrong fix codes; later ones are only counted
/// (`stats.wrongFixCodes`). Per instance: instances sharing a store may each add a few.
pub const MAX_WRONG_CODE_ROWS: u64 = 20;

/// What calling a report URL did.
#[derive(Debug, PartialEq)]
pub enum FixOutcome {
    /// The chaos of this incident ended.
    Resolved(uuid::Uuid),
    Wrong,
    NoChaos,
    /// Too many wrong codes from this client for this vendor; retry after that many seconds.
    Limited(u64),
}

impl FixOutcome {
    /// What the report URL answers (compat), whether as JSON or on the student's page.
    pub fn message(&self) -> &'static str {
        match self {
            FixOutcome::Resolved(_) => "Problem resolved. Pizza is back on the menu!",
            FixOutcome::Wrong => "Problem unresolved",
            FixOutcome::NoChaos => "No chaos currently executing",
            FixOutcome::Limited(_) => "too many wrong fix codes; try again later",
        }
    }
}

/// The vendor a report URL names: `who` is a vendor id, or (old links) an API key.
pub fn reported_vendor(f: &Factory, who: &str) -> Option<Arc<VendorEntry>> {
    VendorId::parse(who)
        .ok()
        .and_then(|id| f.directory.by_id(&id))
        .or_else(|| ApiKey::parse(who).and_then(|k| f.directory.by_key(&k.hash())))
}

/// The vendor's chaos if it bites orders at `now`; a merely scheduled one is not there yet.
pub fn biting(f: &Factory, entry: &VendorEntry, now: DateTime<Utc>) -> Option<Arc<LiveChaos>> {
    entry.chaos.clone().filter(|c| f.directory.bites(c, now))
}

/// Uses a fix code from a report URL. `who` is a vendor id, or (old links) an API key.
pub async fn use_fix_code(f: &Factory, who: &str, code: &str, client: IpAddr) -> Result<FixOutcome, StoreError> {
    let entry = reported_vendor(f, who);
    let now = f.clock.now();
    if let Some(wait) = f.limiter.call(client, now) {
        return Ok(FixOutcome::Limited(wait));
    }
    let Some(entry) = entry else {
        return Ok(FixOutcome::NoChaos);
    };
    let vendor = &entry.vendor.id;
    if let Some(wait) = f.limiter.retry_after(client, vendor, now) {
        return Ok(FixOutcome::Limited(wait));
    }
    let Some(live) = biting(f, &entry, now) else {
        if let Some(live) = &entry.chaos {
            settle::settle_chaos(f, live, now).await?;
        }
        return Ok(FixOutcome::NoChaos);
    };
    if !live.fix_code.matches(code) {
        f.limiter.record_wrong(client, vendor, now);
        live.counters.record_wrong_fix_code();
        let seen = live.wrong_codes_seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if seen < MAX_WRONG_CODE_ROWS {
            f.store
                .add_event(
                    live.incident_id,
                    &TimelineEvent::new(
                        now,
                        "wrong_fix_code",
                        format!("a wrong fix code was tried from {client}"),
                    ),
                )
                .await?;
        }
        return Ok(FixOutcome::Wrong);
    }
    settle::record_start(f, &live).await?;
    let change = Transition {
        to: IncidentState::Resolved,
        from: vec![IncidentState::Active],
        at: now,
        resolved_by: Some(ResolvedBy::Report),
        event: TimelineEvent::new(
            now,
            "resolved",
            format!("resolved through the report URL from {client}"),
        ),
        halted: false,
    };
    if f.store.transition(live.incident_id, &change).await? {
        f.directory.clear_chaos(vendor, live.incident_id);
        record_end(f, &live, ResolvedBy::Report, now);
        log::info!(
            "incident {} of vendor {vendor} resolved through its report URL",
            live.incident_id
        );
        Ok(FixOutcome::Resolved(live.incident_id))
    } else {
        // Another instance resolved it first: the code was single use.
        f.reload().await?;
        Ok(FixOutcome::NoChaos)
    }
}
