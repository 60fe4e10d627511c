//! What an order gets while its vendor's chaos is active, exactly as the contract's table says.

use std::sync::atomic::Ordering;

use actix_web::http::StatusCode;
use actix_web::http::header::RETRY_AFTER;
use actix_web::{HttpResponse, ResponseError};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::directory::LiveChaos;
use crate::domain::chaos::{DEFAULT_DELAY_MS, DEFAULT_RETRY_AFTER_SECS, Flakiness, flaky_fails};
use crate::domain::order::Order;
use crate::domain::{ChaosMode, Vendor};
use crate::factory::Factory;
use crate::http::ApiError;
use crate::metrics::{AlgLabels, ChaosLabels};
use crate::tickets::{TicketContent, TicketKind};

pub const CHAOS_HEADER: &str = "X-Chaos-Report";
pub const OVEN_FULL: &str = "Unable to satisfy pizza order. The oven is full.";

/// A place in the throttle, given back when the order is answered or its client goes away.
struct ThrottleSlot<'a> {
    f: &'a Factory,
    chaos: &'a LiveChaos,
    waiting: bool,
}

impl<'a> ThrottleSlot<'a> {
    /// A slot if neither this vendor's nor the factory's cap is reached.
    fn take(f: &'a Factory, chaos: &'a LiveChaos) -> Option<Self> {
        let mine = chaos.counters.hold();
        let all = f.throttled.fetch_add(1, Ordering::AcqRel);
        let mut slot = Self {
            f,
            chaos,
            waiting: false,
        };
        if mine >= f.config.max_throttled_per_vendor || all >= f.config.max_throttled_total {
            return None; // dropping the slot gives both places back
        }
        f.metrics.throttled_in_flight.inc();
        slot.waiting = true;
        Some(slot)
    }
}

impl Drop for ThrottleSlot<'_> {
    fn drop(&mut self) {
        self.chaos.counters.release();
        self.f.throttled.fetch_sub(1, Ordering::AcqRel);
        if self.waiting {
            self.f.metrics.throttled_in_flight.dec();
        }
    }
}

fn respond(status: StatusCode, chaos: &LiveChaos, body: serde_json::Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CHAOS_HEADER, chaos.report_url.as_str()))
        .json(body)
}

fn fail(chaos: &LiveChaos, now: DateTime<Utc>, lost_satoshi: u64) -> HttpResponse {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    chaos.counters.record_failure(now, lost_satoshi, status.as_u16());
    respond(
        status,
        chaos,
        json!({"message": "chaos monkey", "reportUrl": chaos.report_url}),
    )
}

fn ticket(
    f: &Factory,
    chaos: &LiveChaos,
    content: &TicketContent<'_>,
    now: DateTime<Utc>,
    kind: TicketKind,
    lost_satoshi: u64,
) -> HttpResponse {
    let jwt = f.keyring.issue(content, now, kind);
    match kind {
        TicketKind::Valid => {
            chaos.counters.record_success(now);
            f.metrics
                .tickets
                .get_or_create(&AlgLabels {
                    alg: f.keyring.alg_at(now).as_str(),
                })
                .inc();
        }
        // A bad ticket is answered 200: the failure only shows when the ticket is checked.
        _ => chaos
            .counters
            .record_failure(now, lost_satoshi, StatusCode::OK.as_u16()),
    }
    respond(
        StatusCode::OK,
        chaos,
        json!({"jwt": jwt, "reportUrl": chaos.report_url}),
    )
}

/// Holds a throttled order for the chaos's delay, unless a throttle cap is reached: then the
/// order is answered at once and the overflow counted.
async fn wait(f: &Factory, chaos: &LiveChaos, now: DateTime<Utc>) {
    let delay = chaos.params.delay_ms.unwrap_or(DEFAULT_DELAY_MS);
    match ThrottleSlot::take(f, chaos) {
        Some(slot) => {
            // A timer, not a thread: thousands of throttled orders cost only their futures.
            tokio::select! {
                () = f.clock.sleep_until(now + Duration::milliseconds(delay as i64)) => {}
                // A shutdown answers the order now, as when its delay ends, rather than drop it.
                () = f.stopping() => {}
            }
            drop(slot);
        }
        None => {
            f.metrics.throttle_overflow.inc();
        }
    }
}

fn count_response(f: &Factory, chaos: &LiveChaos) {
    let labels = ChaosLabels {
        mode: chaos.mode.as_str(),
        vendor: chaos.vendor_id.to_string(),
    };
    f.metrics.chaos_responses.get_or_create(&labels).inc();
}

/// Serves an order held by a throttle. Thousands may wait at once, so each waits as the compact
/// JSON text of its diner and order (a few hundred bytes) rather than as parsed trees.
pub async fn throttle(
    f: &Factory,
    chaos: &LiveChaos,
    vendor: &Vendor,
    order: Order,
    now: DateTime<Utc>,
) -> HttpResponse {
    count_response(f, chaos);
    let parked = serde_json::to_vec(&(&order.diner, &order.order)).expect("JSON values serialize");
    let total = order.total_satoshi;
    drop(order);
    wait(f, chaos, now).await;
    let (diner, order): (Value, Value) = serde_json::from_slice(&parked).expect("what we wrote reads back");
    let content = TicketContent {
        vendor_id: vendor.id.as_str(),
        vendor_name: &vendor.name,
        diner: &diner,
        order: &order,
    };
    ticket(f, chaos, &content, f.clock.now(), TicketKind::Valid, total)
}

/// Serves an order of a vendor whose chaos bites at `now`. `total` is what the order is worth,
/// in satoshi.
pub async fn serve(
    f: &Factory,
    chaos: &LiveChaos,
    content: &TicketContent<'_>,
    total: u64,
    now: DateTime<Utc>,
) -> HttpResponse {
    count_response(f, chaos);
    match chaos.mode {
        ChaosMode::Fail => fail(chaos, now, total),
        ChaosMode::Badjwt => ticket(f, chaos, content, now, TicketKind::Forged, total),
        ChaosMode::Expiredjwt => ticket(f, chaos, content, now, TicketKind::Expired, total),
        ChaosMode::Throttle => {
            wait(f, chaos, now).await;
            ticket(f, chaos, content, f.clock.now(), TicketKind::Valid, total)
        }
        ChaosMode::Flaky => {
            let n = match chaos.params.flakiness() {
                // Numbered in the store, so exactly every Nth order of the incident fails,
                // whichever instance takes it and across restarts: one round trip per order.
                Flakiness::EveryNth(_) => match f.store.next_order(chaos.incident_id).await {
                    Ok(n) => n,
                    Err(e) => return ApiError::from(e).error_response(),
                },
                // Drawn from the seed and this instance's count: reproducible, store-free.
                Flakiness::Probability(_) => chaos.counters.next_order(),
            };
            if flaky_fails(chaos.params.flakiness(), chaos.params.seed.unwrap_or_default(), n) {
                fail(chaos, now, total)
            } else {
                ticket(f, chaos, content, now, TicketKind::Valid, total)
            }
        }
        ChaosMode::Overload => {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            chaos.counters.record_failure(now, total, status.as_u16());
            let retry = chaos.params.retry_after_secs.unwrap_or(DEFAULT_RETRY_AFTER_SECS);
            HttpResponse::build(status)
                .insert_header((CHAOS_HEADER, chaos.report_url.as_str()))
                .insert_header((RETRY_AFTER, retry.to_string()))
                .json(json!({"message": OVEN_FULL, "reportUrl": chaos.report_url}))
        }
    }
}
