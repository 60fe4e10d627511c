//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::factory::Factory;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

pub async fn readyz(f: web::Data<Factory>) -> HttpResponse {
    match f.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(e) => {
            log::warn!("readiness check failed: {e}");
            HttpResponse::ServiceUnavailable().json(json!({"message": "store unreachable"}))
        }
    }
}
