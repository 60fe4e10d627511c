//! Changes other instances make to a shared store, pushed: the store's notification makes this
//! instance reload at once instead of at its next tick (the tick still polls, as a fallback).
//! A change to one vendor reloads that vendor alone (one round trip); anything else, everything.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::directory::LiveChaos;
use crate::domain::{IncidentState, VendorId};
use crate::factory::Factory;
use crate::store::{Change, StoreError, listen_for_changes, stopped};

/// More vendors than this pending at once are read faster by one full reload.
const TARGETED_AT_MOST: usize = 32;

/// Changes notified and not yet read: a set, so a burst about one vendor is read once.
#[derive(Default)]
struct Pending {
    vendors: HashSet<VendorId>,
    everything: bool,
}

/// Starts the listener (PostgreSQL only) and the task that reloads on its notifications, both
/// until `stop` turns true. `port` names this instance's listening connection in the store.
pub fn start(f: &Arc<Factory>, config: &Config, port: u16, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let Some(url) = config.postgres_url() else {
        return Vec::new();
    };
    let pending = Arc::new(Mutex::new(Pending::default()));
    // One permit however many notifications came: a burst during a reload causes one more.
    let wake = Arc::new(Notify::new());
    let (noted, woken) = (pending.clone(), wake.clone());
    let changed = Arc::new(move |change: Change| {
        let mut p = noted.lock().expect("pending changes lock");
        match change {
            Change::Vendor(id) => p.vendors.insert(id),
            Change::Everything => std::mem::replace(&mut p.everything, true),
        };
        woken.notify_one();
    });
    vec![
        tokio::spawn(listen_for_changes(
            url.to_owned(),
            application_name(port),
            changed,
            stop.clone(),
        )),
        tokio::spawn(reload_on_change(f.clone(), pending, wake, stop.clone())),
    ]
}

/// How the listening connection of the instance on `port` shows in `pg_stat_activity`.
pub fn application_name(port: u16) -> String {
    format!("pizza-factory listener :{port}")
}

async fn reload_on_change(
    f: Arc<Factory>,
    pending: Arc<Mutex<Pending>>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            () = wake.notified() => {
                let due = std::mem::take(&mut *pending.lock().expect("pending changes lock"));
                if let Err(e) = apply(&f, due).await {
                    log::error!("reloading after a change notification failed: {e}; the tick retries");
                }
            }
            () = stopped(&mut stop) => return,
        }
    }
}

async fn apply(f: &Factory, due: Pending) -> Result<(), StoreError> {
    if due.everything || due.vendors.len() > TARGETED_AT_MOST {
        return f.refresh().await;
    }
    for id in &due.vendors {
        reload_vendor(f, id).await?;
    }
    Ok(())
}

/// Reads one vendor and its chaos again. The change version is left as it was: the next tick
/// sees it moved and reloads everything once, which settles anything this read missed.
async fn reload_vendor(f: &Factory, id: &VendorId) -> Result<(), StoreError> {
    let _one_at_a_time = f.refreshing.lock().await;
    // A local write racing the read makes it stale; reading again settles it.
    for _ in 0..3 {
        let writes = f.directory.writes();
        let state = f.store.vendor_state(id).await?;
        // The same incident at the same start keeps its live entry: what it counts in memory
        // (wrong codes seen, throttled orders) must not restart with every change to it.
        let current = f.directory.by_id(id).and_then(|e| e.chaos.clone());
        let chaos = state.chaos.map(|open| match current {
            Some(live) if live.incident_id == open.incident.id && live.start_at == open.incident.start_at => {
                if open.incident.state == IncidentState::Active {
                    live.started.store(true, Ordering::Release);
                }
                live
            }
            _ => {
                let counters = f.stats.counters(open.incident.id);
                Arc::new(LiveChaos::from_open(open, &f.public_url, counters))
            }
        });
        if f.directory.replace_vendor(writes, id, state.vendor, chaos) {
            return Ok(());
        }
    }
    Ok(())
}
