//! The delivery worker: claims due deliveries, POSTs each signed, records how it went, and
//! retries failures with backoff. Off the order path; a bounded number of attempts in flight,
//! each with its own timeout, so a slow receiver holds one slot and nothing else.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;
use reqwest::redirect::Policy;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use super::sign::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature};
use super::target::{PublicOnly, forbidden, literal_ip};
use super::{DeliveryState, DueDelivery};
use crate::domain::webhook::Attempt;
use crate::domain::webhook::message::body;
use crate::factory::Factory;
use crate::metrics::OutcomeLabels;
use crate::store::StoreError;

/// How long a receiver gets to answer.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts in flight at once, per instance.
pub const IN_FLIGHT: usize = 8;
/// How often the worker looks for due deliveries.
pub const POLL: Duration = Duration::from_millis(250);
/// A delivery still failing this long after its event is given up.
pub fn give_up_after() -> chrono::Duration {
    chrono::Duration::hours(24)
}
/// How long a claim holds: well past the timeout, so only a crashed worker's claim runs out.
fn lease() -> chrono::Duration {
    chrono::Duration::seconds(60)
}

/// The wait after `failed` failed attempts before the wait's jitter: 1 s, doubling, at most 1 h.
pub fn backoff_ms(failed: u32) -> i64 {
    const HOUR_MS: i64 = 3_600_000;
    match failed.saturating_sub(1) {
        // 2^12 s is past an hour already; larger shifts would overflow.
        doublings @ 0..12 => (1000_i64 << doublings).min(HOUR_MS),
        _ => HOUR_MS,
    }
}

/// What follows a failed attempt made at `now`: the next try (the backoff less up to a fifth,
/// `cut` of it drawn in `0..=1`, so retries of many deliveries spread out and never exceed
/// 1 h), or giving up once 24 h have passed since the delivery was created.
pub fn after_failure(
    failed: u32,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    cut: f64,
) -> (DeliveryState, DateTime<Utc>) {
    if now - created_at >= give_up_after() {
        return (DeliveryState::Failed, now);
    }
    let base = backoff_ms(failed);
    let wait = base - (base as f64 * 0.2 * cut.clamp(0.0, 1.0)) as i64;
    (DeliveryState::Pending, now + chrono::Duration::milliseconds(wait))
}

/// One worker per instance: its claim name, its HTTP client and its slots.
pub struct Worker {
    id: String,
    client: reqwest::Client,
    allow_private: bool,
    slots: Arc<Semaphore>,
}

impl Worker {
    pub fn new(allow_private: bool) -> Self {
        let mut client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(Policy::none())
            .no_proxy()
            .user_agent(concat!("pizza-factory-webhooks/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            client = client.dns_resolver(Arc::new(PublicOnly));
        }
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            client: client.build().expect("the webhook HTTP client builds"),
            allow_private,
            slots: Arc::new(Semaphore::new(IN_FLIGHT)),
        }
    }
}

/// One step at the clock's now: claims as many due deliveries as there are free slots and
/// starts an attempt for each; the handles let a test wait for them.
pub async fn tick(f: &Arc<Factory>, w: &Arc<Worker>) -> Result<Vec<JoinHandle<()>>, StoreError> {
    let store = f.store.webhooks();
    let free = w.slots.available_permits();
    if free == 0 {
        return Ok(Vec::new());
    }
    let now = f.clock.now();
    let due = store.claim_due(now, free, &w.id, now + lease()).await?;
    let mut started = Vec::with_capacity(due.len());
    for delivery in due {
        let permit = w
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the slots are never closed");
        let (f, w) = (f.clone(), w.clone());
        started.push(tokio::spawn(async move {
            attempt(&f, &w, delivery).await;
            drop(permit);
        }));
    }
    Ok(started)
}

async fn attempt(f: &Factory, w: &Worker, d: DueDelivery) {
    let answer = post(w, &d, &f.public_url, f.clock.now()).await;
    let now = f.clock.now();
    let failed = d.attempts + 1;
    let (record, outcome) = match answer {
        Ok(status) if (200..300).contains(&status) => (
            Attempt {
                state: DeliveryState::Delivered,
                status: Some(status),
                error: None,
                next_attempt_at: now,
            },
            "delivered",
        ),
        other => {
            let (status, error) = match other {
                Ok(status) if (300..400).contains(&status) => {
                    (Some(status), format!("answered {status} (redirects are not followed)"))
                }
                Ok(status) => (Some(status), format!("answered {status}")),
                Err(why) => (None, why),
            };
            let cut = f.draws.below(0, 1_000_001) as f64 / 1_000_000.0;
            let (state, next_attempt_at) = after_failure(failed, d.created_at, now, cut);
            log::info!("webhook delivery {} attempt {failed}: {error}", d.id);
            let outcome = if state == DeliveryState::Failed {
                "failed"
            } else {
                "retry"
            };
            (
                Attempt {
                    state,
                    status,
                    error: Some(error),
                    next_attempt_at,
                },
                outcome,
            )
        }
    };
    match f.store.webhooks().record_attempt(d.id, &w.id, &record).await {
        Ok(true) => {
            f.metrics
                .webhook_deliveries
                .get_or_create(&OutcomeLabels { outcome })
                .inc();
        }
        Ok(false) => log::warn!(
            "webhook delivery {}: the claim ran out before its attempt was recorded",
            d.id
        ),
        Err(e) => log::error!("webhook delivery {}: recording the attempt: {e}", d.id),
    }
}

/// POSTs the delivery; the receiver's status, or why there was none (never the URL, which
/// may hold a token, nor the secret).
async fn post(w: &Worker, d: &DueDelivery, public_url: &str, at: DateTime<Utc>) -> Result<u16, String> {
    let url = Url::parse(&d.url).map_err(|_| "the stored URL does not parse".to_owned())?;
    // A resolver never sees an address written in the URL, so those are checked here.
    if !w.allow_private && literal_ip(&url).is_some_and(|ip| forbidden(ip).is_some()) {
        return Err("the target address is not public".into());
    }
    let body = body(d.format, &d.event_type, &d.payload, public_url);
    let sent = w
        .client
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header(EVENT_HEADER, &d.event_type)
        .header(DELIVERY_HEADER, d.id.to_string())
        .header(SIGNATURE_HEADER, signature(&d.secret, at.timestamp(), body.as_bytes()))
        .body(body)
        .send()
        .await;
    match sent {
        Ok(res) => Ok(res.status().as_u16()),
        Err(e) if e.is_timeout() => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
        Err(e) => Err(describe(&e.without_url())),
    }
}

/// An error with its causes, which say what went wrong (refused, no public address).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Ticks until `shutdown` turns true; then waits a timeout at most for attempts in flight (an
/// attempt cut short is retried when its claim runs out).
pub async fn run(f: Arc<Factory>, mut shutdown: watch::Receiver<bool>) {
    let worker = Arc::new(Worker::new(f.config.webhook_allow_private));
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u64 = 0;
    loop {
        tokio::select! {
            _ = interval.tick() => {
                if let Err(e) = tick(&f, &worker).await {
                    log::error!("webhook worker tick failed: {e}");
                }
                // The gauge once a second: a count is a store call, and several instances share it.
                if ticks.is_multiple_of(4) {
                    match f.store.webhooks().pending_deliveries().await {
                        Ok(n) => {
                            f.metrics.webhook_pending.set(i64::try_from(n).unwrap_or(i64::MAX));
                        }
                        Err(e) => log::error!("counting pending webhook deliveries: {e}"),
                    }
                }
                ticks += 1;
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    let _ = tokio::time::timeout(TIMEOUT, worker.slots.acquire_many(IN_FLIGHT as u32)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_at_most_an_hour() {
        let waits: Vec<i64> = (1..=14).map(backoff_ms).collect();
        assert_eq!(&waits[..4], &[1000, 2000, 4000, 8000]);
        assert_eq!(backoff_ms(12), 2_048_000);
        assert_eq!(backoff_ms(13), 3_600_000);
        assert_eq!(backoff_ms(200), 3_600_000);
        assert_eq!(backoff_ms(u32::MAX), 3_600_000);
    }

    #[test]
    fn jitter_only_shortens_and_a_day_gives_up() {
        let created = Utc::now();
        let now = created + chrono::Duration::minutes(5);
        assert_eq!(
            after_failure(2, created, now, 0.0).1,
            now + chrono::Duration::seconds(2)
        );
        assert_eq!(
            after_failure(2, created, now, 1.0).1,
            now + chrono::Duration::milliseconds(1600)
        );
        assert_eq!(
            after_failure(40, created, now, 0.5).1,
            now + chrono::Duration::milliseconds(3_240_000)
        );
        assert_eq!(after_failure(3, created, now, 0.3).0, DeliveryState::Pending);
        let late = created + chrono::Duration::hours(24);
        assert_eq!(after_failure(30, created, late, 0.3), (DeliveryState::Failed, late));
    }
}
