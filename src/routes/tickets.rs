//! Tickets: ordering, verifying, the JWKS, and signing-key rotation.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use crate::chaos::engine;
use crate::domain::ChaosMode;
use crate::domain::order::{Order, OrderRejection};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError, VendorCaller};
use crate::metrics::AlgLabels;
use crate::tickets::{JWKS_CACHE_CONTROL, StoredKey, TicketContent, TicketKind};

/// `POST /api/order` (compat): a signed ticket, or what the vendor's active chaos dictates.
pub async fn order(
    f: web::Data<Factory>,
    caller: VendorCaller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let order = Order::parse(body.into_inner()).map_err(|r| match r {
        OrderRejection::MissingParameters => ApiError::bad_request("Missing required parameters"),
        OrderRejection::OvenFull => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, engine::OVEN_FULL),
        OrderRejection::Invalid(why) => ApiError::bad_request(why),
    })?;
    let vendor = &caller.0.vendor;
    let content = TicketContent {
        vendor_id: vendor.id.as_str(),
        vendor_name: &vendor.name,
        diner: &order.diner,
        order: &order.order,
    };
    let now = f.clock.now();
    if let Some(chaos) = caller.0.chaos.as_ref().filter(|c| f.directory.bites(c, now)) {
        if chaos.mode == ChaosMode::Throttle {
            return Ok(engine::throttle(&f, chaos, vendor, order, now).await);
        }
        return Ok(engine::serve(&f, chaos, &content, order.total_satoshi, now).await);
    }
    let jwt = f.keyring.issue(&content, now, TicketKind::Valid);
    f.metrics
        .tickets
        .get_or_create(&AlgLabels {
            alg: f.keyring.alg_at(now).as_str(),
        })
        .inc();
    // A ticket is base64url and dots, nothing to escape: no JSON map to build and serialize.
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(format!(r#"{{"jwt":"{jwt}"}}"#)))
}

/// `POST /api/order/verify` (compat): any failure to read or check the ticket is `invalid`.
pub async fn verify(f: web::Data<Factory>, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    let body = payload
        .to_bytes_limited(crate::http::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body larger than 65536 bytes"))?
        .map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
    let claims = serde_json::from_slice::<VerifyRequest<'_>>(&body)
        .ok()
        .and_then(|r| f.keyring.verify_raw(&r.jwt, f.clock.now()));
    Ok(match claims {
        // The claims go back as the text that was signed: no second parse and serialization.
        Some(payload) => {
            let mut out = Vec::with_capacity(payload.len() + 32);
            out.extend_from_slice(br#"{"message":"valid","payload":"#);
            out.extend_from_slice(&payload);
            out.push(b'}');
            HttpResponse::Ok()
                .insert_header((CONTENT_TYPE, "application/json"))
                .body(out)
        }
        None => HttpResponse::Forbidden().json(json!({"message": "invalid"})),
    })
}

#[derive(serde::Deserialize)]
struct VerifyRequest<'a> {
    #[serde(borrow)]
    jwt: std::borrow::Cow<'a, str>,
}

pub async fn jwks(f: web::Data<Factory>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((CACHE_CONTROL, JWKS_CACHE_CONTROL))
        .body(f.keyring.jwks())
}

/// `POST /api/admin/keys/rotate`: a new signing key, published at once and signing once every
/// JWKS cached before it has expired; old keys verify until their tickets expire.
pub async fn rotate(f: web::Data<Factory>, admin: AdminCaller) -> Result<HttpResponse, ApiError> {
    let (alg, now) = (f.config.ticket_alg, f.clock.now());
    let key = web::block(move || StoredKey::successor(alg, now))
        .await
        .map_err(|e| ApiError::unexpected("key generation", e))?
        .map_err(|e| ApiError::unexpected("key generation", e))?;
    f.store.rotate_signing_key(&key).await?;
    let keys = f.store.signing_keys().await?;
    f.keyring
        .replace(&keys, now)
        .map_err(|e| ApiError::unexpected("keyring", e))?;
    log::info!(
        "signing key rotated by {} to {}, signing from {}",
        admin.label(),
        key.kid,
        key.signs_from
    );
    Ok(HttpResponse::Ok().json(json!({ "kid": key.kid })))
}
