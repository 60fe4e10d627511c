//! The one middleware of the console tree: security headers on every answer, the session
//! loaded (or a 303 to the sign-in page), and the CSRF token checked on every POST.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};

use super::{csrf, page, session};
use crate::factory::Factory;

/// Scripts and styles from /admin/assets only; no inline script, no framing, no plugins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Reachable without a session: the sign-in page itself (`GET /admin` shows the form then),
/// the sign-in POST, and the stylesheet and script the form uses.
fn public(req: &ServiceRequest) -> bool {
    let path = req.path().trim_end_matches('/');
    (req.method() == Method::GET && (path == "/admin" || path.starts_with("/admin/assets/")))
        || (req.method() == Method::POST && path == "/admin/session")
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = match admit(&mut req).await {
        Ok(()) => next.call(req).await?.map_into_boxed_body(),
        Err(refusal) => req.into_response(refusal),
    };
    let headers = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    Ok(res)
}

/// Lets the request through with its session in its extensions, or answers instead.
async fn admit(req: &mut ServiceRequest) -> Result<(), HttpResponse> {
    let f = req
        .app_data::<web::Data<Factory>>()
        .cloned()
        .ok_or_else(|| page::problem_response(StatusCode::INTERNAL_SERVER_ERROR, "factory state missing"))?;
    let session = session::load(&f, req).await.map_err(|e| {
        log::error!("console session lookup: {e}");
        page::problem_response(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable; try again")
    })?;
    let Some(session) = session else {
        if public(req) {
            return Ok(());
        }
        return Err(page::see_other("/admin"));
    };
    if req.method() != Method::GET && req.method() != Method::HEAD && !(public(req) && req.method() == Method::POST) {
        check_csrf(req, &session.csrf).await?;
    }
    req.extensions_mut().insert(session);
    Ok(())
}

/// The token from `X-CSRF-Token`, or from the `csrf` field of a form body (read here and put
/// back for the handler).
async fn check_csrf(req: &mut ServiceRequest, expected: &str) -> Result<(), HttpResponse> {
    let refused = || {
        page::problem_response(
            StatusCode::FORBIDDEN,
            "this form is stale or was not sent by the console: reload the page and try again",
        )
    };
    if let Some(h) = req.headers().get(csrf::HEADER) {
        return if csrf::matches(expected, h.to_str().ok()) {
            Ok(())
        } else {
            Err(refused())
        };
    }
    let body = req
        .extract::<web::Bytes>()
        .await
        .map_err(|_| page::problem_response(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))?;
    let ok = csrf::matches(expected, csrf::form_field(&body).as_deref());
    req.set_payload(actix_http::Payload::from(body));
    if ok { Ok(()) } else { Err(refused()) }
}
