//! HTML answers: every page goes out with the same defensive headers, so a page cannot forget
//! one. Content may come only from this origin (the page's own style is allowed by its hash);
//! no site may frame it, browsers may not guess its type, keep it, or tell others its URL (a
//! report URL is a credential).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The `Content-Security-Policy` of a page whose only inline content is `<style>{style}</style>`.
pub fn policy(style: &str) -> String {
    let hash = STANDARD.encode(digest(&SHA256, style.as_bytes()));
    format!(
        "default-src 'self'; style-src 'self' 'sha256-{hash}'; frame-ancestors 'none'; \
         form-action 'self'; base-uri 'none'"
    )
}

/// An HTML page with the defensive headers; `policy` comes from [`policy`].
pub fn html(status: StatusCode, policy: &str, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CONTENT_SECURITY_POLICY, policy))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((REFERRER_POLICY, "no-referrer"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_given_style() {
        // echo -n 'p{}' | openssl dgst -sha256 -binary | base64
        let p = policy("p{}");
        assert!(p.starts_with("default-src 'self'; "), "{p}");
        assert!(
            p.contains("'sha256-gG2yISYereRMiG2lMXrbiUgi0Ubw9p7QCeWcroOvy9Y='"),
            "{p}"
        );
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        assert_ne!(policy("p{}"), policy("p{ }"));
    }
}
