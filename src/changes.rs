//! Changes other instances make to a shared store, pushed: the store's notification makes this
//! instance reload at once instead of at its next tick (the tick still polls, as a fallback).

use std::sync::Arc;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::factory::Factory;
use crate::store::{listen_for_changes, stopped};

/// Starts the listener (PostgreSQL only) and the task that reloads on its notifications, both
/// until `stop` turns true. `port` names this instance's listening connection in the store.
pub fn start(f: &Arc<Factory>, config: &Config, port: u16, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let Some(url) = config.postgres_url() else {
        return Vec::new();
    };
    // One permit however many notifications came: bursts coalesce into one more reload.
    let pending = Arc::new(Notify::new());
    let notify = pending.clone();
    let changed: Arc<dyn Fn() + Send + Sync> = Arc::new(move || notify.notify_one());
    vec![
        tokio::spawn(listen_for_changes(
            url.to_owned(),
            application_name(port),
            changed,
            stop.clone(),
        )),
        tokio::spawn(reload_on_change(f.clone(), pending, stop.clone())),
    ]
}

/// How the listening connection of the instance on `port` shows in `pg_stat_activity`.
pub fn application_name(port: u16) -> String {
    format!("pizza-factory listener :{port}")
}

/// Reloads after each change; a change arriving during a reload causes exactly one more.
async fn reload_on_change(f: Arc<Factory>, pending: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = pending.notified() => {
                if let Err(e) = f.refresh().await {
                    log::error!("reloading after a change notification failed: {e}; the tick retries");
                }
            }
            () = stopped(&mut stop) => return,
        }
    }
}
