//! Chaos: scheduling, ending and resolving incidents; the store first, then the directory.

pub mod engine;
pub mod limiter;
pub mod report;
pub mod scheduler;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::directory::LiveChaos;
use crate::domain::incident::Stats;
use crate::domain::{
    ApiKey, ChaosMode, ChaosParams, ChaosWindow, FixCode, Incident, IncidentState, ResolvedBy, TimelineEvent, VendorId,
};
use crate::factory::Factory;
use crate::metrics::ResolvedLabels;
use crate::store::{OpenIncident, StoreError, Transition};

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
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Schedules a chaos. With `replace_scheduled` (a vendor's own request), a chaos that is only
/// scheduled is cancelled and replaced; otherwise any open chaos is a conflict.
pub async fn schedule(
    f: &Factory,
    vendor: &VendorId,
    request: ChaosRequest,
    initiated_by: String,
    replace_scheduled: bool,
) -> Result<Incident, ChaosError> {
    if f.directory.by_id(vendor).is_none() {
        // Created a moment ago through another instance behind the same address, perhaps.
        f.refresh().await?;
        if f.directory.by_id(vendor).is_none() {
            return Err(ChaosError::UnknownVendor(vendor.clone()));
        }
    }
    let now = f.clock.now();
    let params = request
        .params
        .validate(request.mode, f.config.max_delay_ms, f.draws.next_u64())
        .map_err(ChaosError::Invalid)?;
    let start_at = match request.start {
        Start::Now => now,
        Start::At(t) if t < now - chrono::Duration::seconds(5) => {
            return Err(ChaosError::Invalid("start must not be in the past".into()));
        }
        Start::At(t) => t.max(now),
        Start::Window(w) => w.pick(|low, high| f.draws.below(low, high)),
    };
    let incident = Incident {
        id: Uuid::new_v4(),
        vendor_id: vendor.clone(),
        mode: request.mode,
        params,
        state: IncidentState::Scheduled,
        initiated_by: initiated_by.clone(),
        initiated_at: now,
        start_at,
        started_at: None,
        first_failure_at: None,
        resolved_at: None,
        resolved_by: None,
        max_duration_secs: request.max_duration_secs,
        stats: Stats::default(),
        timeline: vec![TimelineEvent::new(
            now,
            "scheduled",
            format!(
                "{} chaos scheduled by {initiated_by} to start at {}",
                request.mode,
                start_at.to_rfc3339()
            ),
        )],
    };
    let fix_code = FixCode::generate();
    let replaced = f
        .store
        .create_incident(&incident, &fix_code, replace_scheduled.then_some(now))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) if replace_scheduled => ChaosError::Active(vendor.clone()),
            StoreError::Conflict(_) => ChaosError::Pending(vendor.clone()),
            other => other.into(),
        })?;
    if let Some(old) = replaced {
        log::info!("incident {old} of vendor {vendor} cancelled: replaced by a new request");
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
        "incident {} scheduled: {} chaos for vendor {vendor} at {}",
        incident.id,
        incident.mode,
        start_at.to_rfc3339()
    );
    if live.is_due(now) {
        scheduler::record_start(f, &live).await?;
    }
    Ok(f.store.incident(incident.id).await?.unwrap_or(incident))
}

/// Ends a vendor's chaos: a scheduled one is cancelled, an active one resolved by an admin.
pub async fn end(f: &Factory, vendor: &VendorId, by: &str, reason: Option<&str>) -> Result<Incident, ChaosError> {
    let live = f
        .directory
        .by_id(vendor)
        .and_then(|e| e.chaos.clone())
        .ok_or_else(|| ChaosError::NoChaos(vendor.clone()))?;
    if !end_live(f, &live, by, reason).await? {
        f.reload().await?;
        return Err(ChaosError::NoChaos(vendor.clone()));
    }
    f.store
        .incident(live.incident_id)
        .await?
        .ok_or_else(|| ChaosError::NoChaos(vendor.clone()))
}

async fn end_live(f: &Factory, live: &LiveChaos, by: &str, reason: Option<&str>) -> Result<bool, StoreError> {
    let now = f.clock.now();
    let why = reason.map(|r| format!(" (reason: {r})")).unwrap_or_default();
    let change = if live.is_due(now) {
        scheduler::record_start(f, live).await?;
        Transition {
            to: IncidentState::Resolved,
            from: vec![IncidentState::Active],
            at: now,
            resolved_by: Some(ResolvedBy::Admin),
            event: TimelineEvent::new(now, "resolved", format!("ended by {by}{why}")),
        }
    } else {
        Transition {
            to: IncidentState::Cancelled,
            from: vec![IncidentState::Scheduled],
            at: now,
            resolved_by: None,
            event: TimelineEvent::new(now, "cancelled", format!("cancelled by {by} before it started{why}")),
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
    f.metrics
        .resolved
        .get_or_create(&ResolvedLabels { by: by.as_str() })
        .inc();
    f.metrics
        .seconds_to_resolve
        .observe((at - live.start_at).num_milliseconds() as f64 / 1000.0);
}

/// The kill switch: cancels or ends every open chaos, recording the reason on each.
pub async fn halt(f: &Factory, by: &str, reason: &str) -> Result<usize, StoreError> {
    // Read from the store, so chaos scheduled through another instance is halted too.
    f.reload().await?;
    let mut halted = 0;
    for live in f.directory.live_chaos() {
        if end_live(f, &live, by, Some(&format!("halt: {reason}"))).await? {
            halted += 1;
        }
    }
    log::warn!("chaos halted by {by}: {halted} incident(s) cancelled or ended (reason: {reason})");
    Ok(halted)
}

/// Timeline rows one incident gathers from wrong fix codes; later ones are only counted
/// (`stats.wrongFixCodes`). Per instance: instances sharing a store may each add a few.
pub const MAX_WRONG_CODE_ROWS: u64 = 20;

/// What calling a report URL did.
#[derive(Debug, PartialEq)]
pub enum FixOutcome {
    Resolved,
    Wrong,
    NoChaos,
    /// Too many wrong codes from this client for this vendor; retry after that many seconds.
    Limited(u64),
}

/// Uses a fix code from a report URL. `who` is a vendor id, or (old links) an API key.
pub async fn use_fix_code(f: &Factory, who: &str, code: &str, client: IpAddr) -> Result<FixOutcome, StoreError> {
    let entry = VendorId::parse(who)
        .ok()
        .and_then(|id| f.directory.by_id(&id))
        .or_else(|| ApiKey::parse(who).and_then(|k| f.directory.by_key(&k.hash())));
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
    let Some(live) = entry.chaos.clone().filter(|c| c.bites(now)) else {
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
    scheduler::record_start(f, &live).await?;
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
    };
    if f.store.transition(live.incident_id, &change).await? {
        f.directory.clear_chaos(vendor, live.incident_id);
        record_end(f, &live, ResolvedBy::Report, now);
        log::info!(
            "incident {} of vendor {vendor} resolved through its report URL",
            live.incident_id
        );
        Ok(FixOutcome::Resolved)
    } else {
        // Another instance resolved it first: the code was single use.
        f.reload().await?;
        Ok(FixOutcome::NoChaos)
    }
}
