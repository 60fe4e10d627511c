//! The chaos scheduler: holds starts back during a pause, then settles (`settle.rs`: records
//! starts and expiries, flushes counters). `tick(now)` is one step,
//! so tests and drills drive it directly; `run` repeats it until shutdown.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

pub use super::settle::{flush_stats, record_start, settle, settle_chaos};
use crate::factory::Factory;
use crate::store::StoreError;

pub const TICK: std::time::Duration = std::time::Duration::from_millis(250);

/// One step of the scheduler at `now`.
pub async fn tick(f: &Factory, now: DateTime<Utc>) -> Result<(), StoreError> {
    f.refresh().await?;
    // What would start during a pause is moved after it first, so it never starts below.
    super::pause::hold_back(f, now).await?;
    settle(f, now).await?;
    f.limiter.prune(now);
    if let Err(e) = f.keyring.prune(now) {
        log::error!("could not drop expired signing keys: {e}");
    }
    Ok(())
}

/// Ticks until `shutdown` turns true, then flushes once more.
pub async fn run(f: Arc<Factory>, mut shutdown: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(e) = tick(&f, f.clock.now()).await {
                    log::error!("scheduler tick failed: {e}");
                }
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    flush_stats(&f).await;
}
