//! Who is calling: the vendor behind a Bearer API key, and whether it is an admin.

use std::future::{Ready, ready};
use std::sync::Arc;

use futures_util::TryFutureExt;
use futures_util::future::{Either, LocalBoxFuture};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
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

/// The caller's vendor: at once from the directory (every order of a known key), else
/// through a store lookup (a key created on another instance a moment ago).
type Authenticated =
    Either<Ready<Result<Arc<VendorEntry>, ApiError>>, LocalBoxFuture<'static, Result<Arc<VendorEntry>, ApiError>>>;

fn authenticate(req: &HttpRequest) -> Authenticated {
    let Some(factory) = req.app_data::<web::Data<Factory>>() else {
        return Either::Left(ready(Err(ApiError::unexpected(
            "authenticate",
            "factory state missing",
        ))));
    };
    let Some(key) = bearer_key(req) else {
        return Either::Left(ready(Err(ApiError::unauthenticated())));
    };
    if let Some(entry) = factory.directory.by_key(&key.hash()) {
        return Either::Left(ready(Ok(logged(req, entry))));
    }
    if factory.key_lookup.is_none() {
        return Either::Left(ready(Err(ApiError::unauthenticated())));
    }
    let (factory, req) = (factory.clone(), req.clone());
    Either::Right(Box::pin(async move {
        let entry = factory
            .vendor_by_key(&key)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(logged(&req, entry))
    }))
}

fn logged(req: &HttpRequest, entry: Arc<VendorEntry>) -> Arc<VendorEntry> {
    // An Arc clone, not a copy of the id: this runs on every authenticated request.
    req.extensions_mut().insert(LoggedVendor(entry.clone()));
    entry
}

/// Any vendor with a valid API key.
pub struct VendorCaller(pub Arc<VendorEntry>);

impl FromRequest for VendorCaller {
    type Error = ApiError;
    type Future = futures_util::future::MapOk<Authenticated, fn(Arc<VendorEntry>) -> Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate(req).map_ok(VendorCaller as fn(_) -> _)
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

fn admin(entry: Arc<VendorEntry>) -> Result<AdminCaller, ApiError> {
    if entry.vendor.is_admin() {
        Ok(AdminCaller(entry))
    } else {
        Err(ApiError::forbidden("this route needs the admin role"))
    }
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = futures_util::future::AndThen<
        Authenticated,
        Ready<Result<Self, ApiError>>,
        fn(Arc<VendorEntry>) -> Ready<Result<Self, ApiError>>,
    >;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        authenticate(req).and_then((|entry| ready(admin(entry))) as fn(_) -> _)
    }
}
