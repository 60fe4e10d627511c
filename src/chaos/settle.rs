//! Settling: brings the store up to what the order path acts on at an instant (starts and
//! expiries recorded, counters flushed). The scheduler's tick settles, and so does every read
//! and write about chaos; the pause and the schedule record starts through it.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

use crate::directory::LiveChaos;
use crate::domain::incident::{EXPIRED_DETAIL, started_detail};
use crate::domain::{IncidentState, ResolvedBy, TimelineEvent};
use crate::factory::Factory;
use crate::store::{StoreError, Transition};

/// Records the start of a due chaos, once across every instance sharing the store.
pub async fn record_start(f: &Factory, live: &LiveChaos) -> Result<(), StoreError> {
    if live.started.load(Ordering::Acquire) {
        return Ok(());
    }
    if f.store
        .start_incident(live.incident_id, &started_detail(live.mode))
        .await?
    {
        let lag = (f.clock.now() - live.start_at).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6;
        f.metrics.scheduler_lag.observe(lag.max(0.0));
        log::info!(
            "chaos started: {} for vendor {} (incident {}, since {})",
            live.mode,
            live.vendor_id,
            live.incident_id,
            crate::domain::instant::format(&live.start_at)
        );
    }
    live.started.store(true, Ordering::Release);
    Ok(())
}

/// Ends a chaos whose maximum duration has passed.
async fn expire(f: &Factory, live: &LiveChaos, at: DateTime<Utc>) -> Result<(), StoreError> {
    record_start(f, live).await?;
    let change = Transition {
        to: IncidentState::Expired,
        from: vec![IncidentState::Active],
        at,
        resolved_by: Some(ResolvedBy::Expiry),
        event: TimelineEvent::new(at, "expired", EXPIRED_DETAIL),
        halted: false,
    };
    if f.store.transition(live.incident_id, &change).await? {
        super::record_end(f, live, ResolvedBy::Expiry, at);
        log::info!("incident {} of vendor {} expired", live.incident_id, live.vendor_id);
    }
    f.directory.clear_chaos(&live.vendor_id, live.incident_id);
    Ok(())
}

/// Writes the counters gathered since the last flush; on failure they are kept for the next.
pub async fn flush_stats(f: &Factory) {
    let _turn = f.stats.flush_turn().await;
    let pending = f.stats.drain();
    if pending.is_empty() {
        return;
    }
    let mut deltas: Vec<_> = pending.iter().map(|(_, d)| d.clone()).collect();
    // In incident order: flushes of several instances (and a halt, which locks in the same
    // order) then take the incidents' row locks in one order and never deadlock each other.
    deltas.sort_by_key(|d| d.incident);
    match f.store.add_stats(&deltas).await {
        Err(e) => {
            log::error!("could not flush incident counters, will retry: {e}");
            for (counters, delta) in &pending {
                counters.restore(delta);
            }
        }
        // Refused by its own row, it would be refused again: set aside, with its figures in the
        // log for whoever reconciles, so that it never holds back the other incidents' counts.
        Ok(rejected) => {
            for r in rejected {
                log::error!(
                    "incident counters set aside, the store refused them: {:?} ({})",
                    r.delta,
                    r.reason
                );
            }
        }
    }
}

/// Records what the order path already does to `live` at `now`: a due chaos has started, one
/// past its maximum duration has expired (at its end, not at `now`). True while it stays open.
pub async fn settle_chaos(f: &Factory, live: &LiveChaos, now: DateTime<Utc>) -> Result<bool, StoreError> {
    // A pause holds a due chaos back: it has not started, as the order path agrees.
    if live.is_due(now) && f.directory.pause_until(now).is_none() {
        record_start(f, live).await?;
    }
    if let Some(end) = live.ends_at.filter(|end| now >= *end) {
        expire(f, live, end).await?;
        return Ok(false);
    }
    Ok(true)
}

/// Brings the store up to the order path at `now`: every due start and every expiry recorded,
/// the counters flushed. Reads and writes about chaos call it first, so that no answer
/// contradicts what orders are getting at that instant; the tick calls it too.
pub async fn settle(f: &Factory, now: DateTime<Utc>) -> Result<(), StoreError> {
    for live in f.directory.live_chaos() {
        settle_chaos(f, &live, now).await?;
    }
    flush_stats(f).await;
    Ok(())
}
