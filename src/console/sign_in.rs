//! Signing in with an admin key, and out. The key only ever travels in this POST's body.

use actix_web::http::StatusCode;
use actix_web::http::header::RETRY_AFTER;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{self, see_other};
use super::session;
use crate::domain::{ApiKey, VendorId};
use crate::factory::{ADMIN_ID, Factory};
use crate::http::client_ip::client_ip;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
pub struct SignIn<'a> {
    pub message: &'a str,
}

pub fn form(status: StatusCode, message: &str) -> HttpResponse {
    page::html(status, &SignIn { message })
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    key: String,
}

/// Wrong keys count per address as wrong fix codes do, under one name for the whole console.
fn console_id() -> VendorId {
    VendorId::parse(ADMIN_ID).expect("valid id")
}

pub async fn sign_in(f: web::Data<Factory>, req: HttpRequest, form_: web::Form<KeyForm>) -> HttpResponse {
    let client = client_ip(&req, &f.config.trusted_proxies.0);
    let now = f.clock.now();
    if let Some(wait) = f.sign_in_limiter.retry_after(client, &console_id(), now) {
        let mut res = form(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many wrong keys from this address: wait {wait} s and try again."),
        );
        res.headers_mut().insert(RETRY_AFTER, wait.into());
        return res;
    }
    let found = match ApiKey::parse(&form_.key) {
        Some(key) => f.vendor_by_key(&key).await,
        None => Ok(None),
    };
    let admin = match found {
        Ok(found) => found.filter(|e| e.vendor.is_admin()),
        Err(e) => return page::problem(e.into()),
    };
    let Some(admin) = admin else {
        f.sign_in_limiter.record_wrong(client, &console_id(), now);
        log::warn!("console sign-in with a wrong key from {client}");
        return form(
            StatusCode::UNAUTHORIZED,
            "That is not an admin key. Use the admin vendor's key or the key of a vendor with the admin role.",
        );
    };
    match session::open(&f, &admin).await {
        Ok(id) => {
            log::info!("console session opened for {} from {client}", admin.vendor.id);
            let mut res = see_other("/admin");
            let _ = res.add_cookie(&session::cookie(&f, id));
            res
        }
        Err(e) => page::problem(e.into()),
    }
}

pub async fn sign_out(f: web::Data<Factory>, req: HttpRequest) -> HttpResponse {
    if let Err(e) = session::end(&f, &req).await {
        return page::problem(e.into());
    }
    let mut res = see_other("/admin");
    let _ = res.add_cookie(&session::removal(&f));
    res
}
