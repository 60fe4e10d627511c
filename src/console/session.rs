//! Console sessions: a random id in an HttpOnly cookie, only its hash in the store, expiring
//! after `FACTORY_SESSION_IDLE_MINUTES` unused on the factory's clock.

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use super::csrf;
use crate::directory::VendorEntry;
use crate::domain::KeyHash;
use crate::factory::Factory;
use crate::random::secure_bytes;
use crate::store::{AdminSession, StoreError};

pub const COOKIE: &str = "factory_session";

/// A signed-in instructor: the admin vendor, and the CSRF token its forms carry.
#[derive(Clone)]
pub struct Session {
    pub admin: Arc<VendorEntry>,
    pub csrf: String,
}

impl Session {
    /// How incidents and logs name this instructor, as the API names an admin caller.
    pub fn label(&self) -> String {
        format!("admin:{}", self.admin.vendor.id)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens a session for an admin; answers the cookie value (256 random bits, never stored).
pub async fn open(f: &Factory, admin: &VendorEntry) -> Result<String, StoreError> {
    let id = hex(&secure_bytes::<32>());
    let session = AdminSession {
        id: KeyHash::of(id.as_bytes()),
        vendor: admin.vendor.id.clone(),
        at: f.clock.now(),
    };
    f.store.create_session(&session).await?;
    Ok(id)
}

fn idle(f: &Factory) -> chrono::Duration {
    chrono::Duration::minutes(i64::from(f.config.session_idle_minutes))
}

/// The session the request's cookie names, if it is live and its vendor is still an admin.
pub async fn load(f: &Factory, req: &actix_web::dev::ServiceRequest) -> Result<Option<Session>, StoreError> {
    let Some(id) = req.cookie(COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    // A cookie that is not one of ours is not worth a store call.
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(vendor) = f
        .store
        .touch_session(KeyHash::of(id.as_bytes()), f.clock.now(), idle(f))
        .await?
    else {
        return Ok(None);
    };
    Ok(f.directory
        .by_id(&vendor)
        .filter(|e| e.vendor.is_admin())
        .map(|admin| Session {
            admin,
            csrf: csrf::token(&id),
        }))
}

/// Ends the request's session on the server.
pub async fn end(f: &Factory, req: &HttpRequest) -> Result<(), StoreError> {
    if let Some(c) = req.cookie(COOKIE) {
        f.store.end_session(KeyHash::of(c.value().as_bytes())).await?;
    }
    Ok(())
}

/// The session cookie: HttpOnly, SameSite=Strict, whole site, Secure when served over https.
pub fn cookie(f: &Factory, value: String) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(f.public_url.starts_with("https://"))
        .finish()
}

/// A cookie that removes the session cookie from the browser.
pub fn removal(f: &Factory) -> Cookie<'static> {
    let mut c = cookie(f, String::new());
    c.make_removal();
    c
}

/// The signed-in instructor, put there by `guard`; pages that need one take this.
impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Session>()
                .cloned()
                .ok_or_else(|| actix_web::error::ErrorForbidden("no session")),
        )
    }
}
