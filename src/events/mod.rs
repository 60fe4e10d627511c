//! Events as people receive them: the streams (`stream`) and the poller that feeds every open
//! stream of this instance from the store (the feed itself is `crate::feed`).

pub mod stream;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::factory::Factory;
pub use crate::feed::{EventFeed, PAGE};

/// How often the poller looks for events (written here or by another instance).
pub const POLL: Duration = Duration::from_millis(250);

/// Polls until `shutdown` turns true.
pub async fn run(f: Arc<Factory>, mut shutdown: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(e) = f.events.poll(f.store.as_ref()).await {
                    log::error!("reading new events failed: {e}");
                }
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
}
