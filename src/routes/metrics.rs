//! `GET /metrics`: Prometheus text for admins or the metrics token holder.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::factory::Factory;
use crate::http::ApiError;
use crate::http::auth::bearer_key;

async fn allowed(f: &Factory, req: &HttpRequest) -> Result<(), ApiError> {
    let key = bearer_key(req).ok_or_else(ApiError::unauthenticated)?;
    if let Some(token) = f.config.metrics_token.as_deref()
        && aws_lc_rs::constant_time::verify_slices_are_equal(token.as_bytes(), key.expose().as_bytes()).is_ok()
    {
        return Ok(());
    }
    match f.vendor_by_key(&key).await? {
        Some(entry) if entry.vendor.is_admin() => Ok(()),
        Some(_) => Err(ApiError::forbidden("metrics need the admin role or the metrics token")),
        None => Err(ApiError::unauthenticated()),
    }
}

pub async fn metrics(f: web::Data<Factory>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    allowed(&f, &req).await?;
    let now = f.clock.now();
    crate::chaos::scheduler::settle(&f, now).await?;
    let (active, scheduled): (Vec<_>, Vec<_>) = f.directory.live_chaos().into_iter().partition(|c| c.bites(now));
    f.metrics.chaos_active.set(active.len() as i64);
    f.metrics.chaos_scheduled.set(scheduled.len() as i64);
    let oldest = active.iter().map(|c| (now - c.start_at).num_seconds()).max();
    f.metrics.chaos_oldest_active.set(oldest.unwrap_or(0).max(0));
    f.metrics
        .throttle_cap
        .set(i64::try_from(f.config.max_throttled_total).unwrap_or(i64::MAX));
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(f.metrics.render()))
}
