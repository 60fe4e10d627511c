//! Prometheus metrics: what an instructor watches while a class runs, and what operators need.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Every field comes from a fixed set (see `http::access`), so no client can add series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: &'static str,
    /// A route template of the catalog (the only resources registered) or `unmatched`.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AlgLabels {
    pub alg: &'static str,
}

/// Chaos responses are only counted while a chaos is active, so labelling them by vendor
/// announces nothing that the vendor does not already see.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChaosLabels {
    pub mode: &'static str,
    pub vendor: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResolvedLabels {
    pub by: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StoreLabels {
    pub op: &'static str,
}

/// How a webhook delivery attempt ended: a fixed set, whatever the receivers answer.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub tickets: Family<AlgLabels, Counter>,
    pub chaos_responses: Family<ChaosLabels, Counter>,
    /// Unlabelled on purpose: a scheduled chaos is never attributed to a vendor.
    pub chaos_scheduled: Gauge,
    pub chaos_active: Gauge,
    /// Set at each scrape, so "active for too long" is an alert rule, not a per-order cost.
    pub chaos_oldest_active: Gauge,
    pub resolved: Family<ResolvedLabels, Counter>,
    pub seconds_to_resolve: Histogram,
    pub scheduler_lag: Histogram,
    pub store_latency: Family<StoreLabels, Histogram>,
    pub throttled_in_flight: Gauge,
    pub throttle_overflow: Counter,
    /// The instance's cap on throttled orders, so a rule can compare the in-flight gauge to it.
    pub throttle_cap: Gauge,
    pub webhook_deliveries: Family<OutcomeLabels, Counter>,
    pub webhook_pending: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("factory");
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 18))
        });
        let store_latency = Family::<StoreLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.00005, 2.0, 18))
        });
        let m = Self {
            requests: Family::default(),
            latency,
            tickets: Family::default(),
            chaos_responses: Family::default(),
            chaos_scheduled: Gauge::default(),
            chaos_active: Gauge::default(),
            chaos_oldest_active: Gauge::default(),
            resolved: Family::default(),
            seconds_to_resolve: Histogram::new([
                30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0,
            ]),
            scheduler_lag: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
            store_latency,
            throttled_in_flight: Gauge::default(),
            throttle_overflow: Counter::default(),
            throttle_cap: Gauge::default(),
            webhook_deliveries: Family::default(),
            webhook_pending: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests by route template and status",
            m.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            m.latency.clone(),
        );
        registry.register(
            "tickets_signed",
            "Valid tickets signed, by algorithm",
            m.tickets.clone(),
        );
        registry.register(
            "chaos_responses",
            "Orders answered by an active chaos, by mode",
            m.chaos_responses.clone(),
        );
        registry.register(
            "chaos_scheduled",
            "Chaos scheduled and not yet started (all vendors)",
            m.chaos_scheduled.clone(),
        );
        registry.register("chaos_active", "Chaos active now (all vendors)", m.chaos_active.clone());
        registry.register(
            "chaos_oldest_active_seconds",
            "Seconds since the oldest active chaos started (0 when none; all vendors)",
            m.chaos_oldest_active.clone(),
        );
        registry.register("incidents_resolved", "Incidents ended, by how", m.resolved.clone());
        registry.register(
            "incident_seconds_to_resolve",
            "Seconds from chaos start to its end",
            m.seconds_to_resolve.clone(),
        );
        registry.register(
            "scheduler_lag_seconds",
            "Delay between a chaos start instant and the scheduler recording it",
            m.scheduler_lag.clone(),
        );
        registry.register(
            "store_operation_duration_seconds",
            "Store call latency by operation",
            m.store_latency.clone(),
        );
        registry.register(
            "throttled_in_flight",
            "Orders waiting in a throttle chaos",
            m.throttled_in_flight.clone(),
        );
        registry.register(
            "throttle_overflow",
            "Throttled orders answered at once because a cap was reached",
            m.throttle_overflow.clone(),
        );
        registry.register(
            "throttle_cap",
            "Throttled orders all vendors may have waiting on this instance",
            m.throttle_cap.clone(),
        );
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts by outcome (delivered, retry, failed)",
            m.webhook_deliveries.clone(),
        );
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries waiting for an attempt (all webhooks)",
            m.webhook_pending.clone(),
        );
        Self { registry, ..m }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}
