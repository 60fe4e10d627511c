//! Changes pushed by PostgreSQL: `LISTEN factory_changes` on a connection of its own (a pooled
//! one would be recycled, and notifications would stop), reconnecting with backoff.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::domain::VendorId;

/// The channel `bump_store_changes()` notifies (migration 0010).
pub const CHANNEL: &str = "factory_changes";

/// What a notification says changed.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Only this vendor: itself, its keys or its chaos.
    Vendor(VendorId),
    /// Anything (signing keys, the pause), or unknown: a catch-up after (re)connecting.
    Everything,
}

impl Change {
    /// Reads the payload `{"kind": table, "vendor": id or null}`.
    fn of(payload: &str) -> Self {
        #[derive(serde::Deserialize)]
        struct Payload {
            vendor: Option<String>,
        }
        serde_json::from_str::<Payload>(payload)
            .ok()
            .and_then(|p| VendorId::parse(&p.vendor?).ok())
            .map_or(Change::Everything, Change::Vendor)
    }
}

type OnChange = Arc<dyn Fn(Change) + Send + Sync>;

const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Calls `changed` on each notification, and once after every (re)connection: changes made
/// while no one listened are caught up. `application_name` names the connection in
/// `pg_stat_activity`. Runs until `stop` turns true.
pub async fn listen(url: String, application_name: String, changed: OnChange, mut stop: watch::Receiver<bool>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let outcome = tokio::select! {
            outcome = listen_once(&url, &application_name, changed.clone()) => outcome,
            () = stopped(&mut stop) => return,
        };
        // The error says what failed (refused, terminated, authentication); the URL and its
        // password are never logged.
        let reason = match outcome {
            Listened::Lost(e) => {
                backoff = FIRST_BACKOFF;
                e
            }
            Listened::NeverUp(e) => e,
        };
        log::warn!(
            "store change listener ({application_name}): {reason}; reconnecting in {} ms, polling meanwhile",
            backoff.as_millis()
        );
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = stopped(&mut stop) => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

enum Listened {
    /// Connected and listening, then the connection ended.
    Lost(String),
    /// Could not connect or LISTEN.
    NeverUp(String),
}

async fn listen_once(url: &str, application_name: &str, changed: OnChange) -> Listened {
    let mut config: tokio_postgres::Config = match url.parse() {
        Ok(c) => c,
        Err(e) => return Listened::NeverUp(format!("bad store URL: {e}")),
    };
    config
        .application_name(application_name)
        .connect_timeout(Duration::from_secs(5));
    let (client, mut connection) = match config.connect(NoTls).await {
        Ok(pair) => pair,
        Err(e) => return Listened::NeverUp(format!("cannot connect: {e}")),
    };
    // The connection delivers notifications only while it is polled: this task does it.
    let on_notice = changed.clone();
    let mut driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => on_notice(Change::of(n.payload())),
                Ok(_) => {}
                Err(e) => return format!("connection lost: {e}"),
            }
        }
        "connection closed".to_owned()
    });
    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
        driver.abort();
        return Listened::NeverUp(format!("cannot LISTEN: {e}"));
    }
    log::info!("store change listener ({application_name}) listening");
    // Catch-up: whatever changed before LISTEN took effect is read now.
    changed(Change::Everything);
    let reason = (&mut driver)
        .await
        .unwrap_or_else(|e| format!("listener task ended: {e}"));
    drop(client);
    Listened::Lost(reason)
}

/// Completes once `stop` turns true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_names_a_vendor_or_everything() {
        let v = |id| Change::Vendor(VendorId::parse(id).unwrap());
        assert_eq!(Change::of(r#"{"kind" : "incidents", "vendor" : "p1"}"#), v("p1"));
        assert_eq!(
            Change::of(r#"{"kind": "signing_keys", "vendor": null}"#),
            Change::Everything
        );
        assert_eq!(Change::of("7"), Change::Everything);
        assert_eq!(Change::of(r#"{"vendor": "no spaces allowed"}"#), Change::Everything);
    }
}
