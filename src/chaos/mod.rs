//! Chaos: scheduling, moving, ending and resolving incidents; the store first, then the directory.

pub mod deletion;
mod ending;
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

use chrono::{DateTime, Utc};

use crate::directory::{LiveChaos, VendorEntry};
use crate::domain::{ApiKey, ChaosMode, ChaosParams, ChaosWindow, IncidentState, ResolvedBy, TimelineEvent, VendorId};
use crate::factory::Factory;
use crate::metrics::ResolvedLabels;
use crate::store::{StoreError, Transition};
pub use ending::end;
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
    // The store decides, counting the tries of every instance: the limit holds for the cluster.
    // Every try counts, the right one too (it ends the chaos, so it is the last).
    let block = crate::limiter::client_key(client);
    if let Some(wait) = f.store.count_fix_code_try(block, vendor, now).await? {
        return Ok(FixOutcome::Limited(wait));
    }
    if !live.fix_code.matches(code) {
        f.limiter.record_wrong(client, vendor, now);
        live.counters.record_wrong_fix_code();
        let seen = live.counters.see_wrong_code();
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
