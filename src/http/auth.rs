//! Who is calling: the vendor behind a Bearer API key, and whether it is an admin.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::ApiError;
use super::access::LoggedVendor;
use crate::directory::VendorEntry;
use crate::domain::ApiKey;
use crate::factory::Factory;

/// The key in `Authorization: Bearer <key>`, scheme case-insensitive.
pub fn bearer_key(req: &HttpRequest) -> Option<ApiKey> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| ApiKey::parse(key))
        .flatten()
}

fn authenticate(req: &HttpRequest) -> Result<Arc<VendorEntry>, ApiError> {
    let factory = req
        .app_data::<web::Data<Factory>>()
        .ok_or_else(|| ApiError::unexpected("authenticate", "factory state missing"))?;
    // Found by `learn_unseen_key` already (a shared store): the key is not hashed twice.
    if let Some(known) = req.extensions().get::<LoggedVendor>() {
        return Ok(known.0.clone());
    }
    let key = bearer_key(req).ok_or_else(ApiError::unauthenticated)?;
    let entry = factory
        .directory
        .by_key(&key.hash())
        .ok_or_else(ApiError::unauthenticated)?;
    // An Arc clone, not a copy of the id: this runs on every authenticated request.
    req.extensions_mut().insert(LoggedVendor(entry.clone()));
    Ok(entry)
}

/// Any vendor with a valid API key.
pub struct VendorCaller(pub Arc<VendorEntry>);

impl FromRequest for VendorCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(VendorCaller))
    }
}

/// A vendor with the `admin` role.
pub struct AdminCaller(pub Arc<VendorEntry>);

impl AdminCaller {
    /// How incidents and logs name this admin.
    pub fn label(&self) -> String {
        format!("admin:{}", self.0.vendor.id)
    }
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|entry| {
            if entry.vendor.is_admin() {
                Ok(AdminCaller(entry))
            } else {
                Err(ApiError::forbidden("this route needs the admin role"))
            }
        }))
    }
}

/// Middleware: a Bearer key this instance has not seen is looked up in a shared store before
/// the route runs, so the extractors above stay in memory and a wrong key is still a 401 before
/// any body is read. A store error leaves the key unknown here (401), logged.
pub async fn learn_unseen_key(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(f) = req.app_data::<web::Data<Factory>>()
        && f.key_lookup.is_some()
        && let Some(key) = bearer_key(req.request())
    {
        match f.vendor_by_key(&key).await {
            Ok(Some(entry)) => {
                req.extensions_mut().insert(LoggedVendor(entry));
            }
            Ok(None) => {}
            Err(e) => log::warn!("could not look an unseen API key up: {e}"),
        }
    }
    next.call(req).await
}
