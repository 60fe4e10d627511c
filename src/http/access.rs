//! Access log and request metrics: one line per request, never a secret.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use crate::factory::Factory;
use crate::metrics::RouteLabels;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The vendor an authenticated request acted as, for the access log.
#[derive(Clone)]
pub struct LoggedVendor(pub std::sync::Arc<crate::directory::VendorEntry>);

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Request ids: a per-process random prefix and a counter, cheap and unique enough to grep.
fn request_id() -> String {
    static PREFIX: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| u32::from_le_bytes(crate::random::secure_bytes::<4>()));
    format!("{prefix:08x}-{:x}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// The route label of requests no route matched.
pub const UNMATCHED: &str = "unmatched";

/// The method as a label from a fixed set: clients may send any token as a method, and a
/// label per token would grow the metrics (and the log) without bound.
pub fn method_label(method: &Method) -> &'static str {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    STANDARD.iter().find(|m| *m == method).map_or("other", |m| m.as_str())
}

pub async fn access(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = request_id();
    let method = method_label(req.method());
    let factory = req.app_data::<web::Data<Factory>>().cloned();
    let mut res = next.call(req).await?;
    let elapsed = started.elapsed();
    // The route template, never the raw path: report URLs carry fix codes and old links API keys,
    // and junk paths must not add series. Only catalog routes are registered, so the set is fixed.
    let route = res.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned());
    let status = res.status().as_u16();
    log::info!(
        target: "access",
        "{id} {method} {route} {status} {:.3}ms vendor={}",
        elapsed.as_secs_f64() * 1000.0,
        res.request().extensions().get::<LoggedVendor>().map_or("-", |v| v.0.vendor.id.as_str())
    );
    if let Some(f) = factory {
        let labels = RouteLabels { method, route, status };
        f.metrics.requests.get_or_create(&labels).inc();
        f.metrics.latency.get_or_create(&labels).observe(elapsed.as_secs_f64());
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}
