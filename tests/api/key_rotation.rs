//! Signing-key rotation: a new key is in the JWKS one cache lifetime (60 s) before it signs, so
//! every JWKS a verifier may still hold from cache verifies every ticket issued.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::backend::Backend;
use crate::helpers::{TestApp, spawn_app};
use crate::tickets::verify_independently;

/// How long the JWKS may be cached, from its own `Cache-Control`.
async fn jwks(app: &TestApp) -> (Value, i64) {
    let res = app.call(Method::GET, "/.well-known/jwks.json", None, None).await;
    let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
    let max_age = cache.rsplit("max-age=").next().unwrap().parse().unwrap();
    (res.json().await.unwrap(), max_age)
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

fn kid_of(jwt: &str) -> String {
    let header: Value = serde_json::from_slice(&B64.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

async fn ticket(app: &TestApp, key: &str) -> String {
    let (status, body) = app.order_json(key, &[1.0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["jwt"].as_str().unwrap().to_owned()
}

async fn rotate(app: &TestApp) -> String {
    let (status, body) = app.admin(Method::POST, "/api/admin/keys/rotate", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_jwks_a_verifier_may_have_cached_verifies_every_ticket_across_a_rotation_and_restart() {
    let mut app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (before, max_age) = jwks(&app).await;
    assert_eq!(max_age, 60);
    let old_kid = kids(&before)[0].clone();
    let new_kid = rotate(&app).await;
    let (published, _) = jwks(&app).await;
    assert_eq!(kids(&published), vec![old_kid.clone(), new_kid.clone()]);

    // JWKS documents as verifiers fetched them, second by second, from just before the rotation.
    let mut fetched = vec![(-1, before)];
    for second in (0..=2 * max_age).step_by(5) {
        if second == 30 {
            // The schedule is stored with the key: a restart keeps to it.
            app = app.restart().await;
        }
        app.clock.set(crate::helpers::t0() + chrono::Duration::seconds(second));
        fetched.push((second, jwks(&app).await.0));
        let jwt = ticket(&app, &key).await;
        let signer = if second < max_age { &old_kid } else { &new_kid };
        assert_eq!(&kid_of(&jwt), signer, "ticket issued {second} s after the rotation");
        for (at, cached) in fetched.iter().filter(|(at, _)| second - at <= max_age) {
            assert!(
                kids(cached).contains(signer),
                "the JWKS fetched at {at} s misses the ticket issued at {second} s"
            );
            verify_independently(cached, &jwt);
        }
        assert_eq!(app.verify(&jwt).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_key_rotated_on_one_instance_is_published_by_all_and_signs_on_all_after_the_cache_lifetime() {
    if crate::BACKEND != Backend::Postgres {
        return; // Instances share a store only on PostgreSQL.
    }
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let key = a.create_vendor("v1").await;
    b.tick().await;
    let old_kid = kid_of(&ticket(&b, &key).await);
    let new_kid = rotate(&a).await;
    b.tick().await;
    assert_eq!(kids(&jwks(&b).await.0), vec![old_kid.clone(), new_kid.clone()]);
    for app in [&a, &b] {
        assert_eq!(kid_of(&ticket(app, &key).await), old_kid);
    }
    a.advance(59);
    assert_eq!(kid_of(&ticket(&b, &key).await), old_kid);
    a.advance(1);
    for app in [&a, &b] {
        let jwt = ticket(app, &key).await;
        assert_eq!(kid_of(&jwt), new_kid);
        assert_eq!(a.verify(&jwt).await.0, StatusCode::OK);
        assert_eq!(b.verify(&jwt).await.0, StatusCode::OK);
    }
}
