//! Tickets a verifier must refuse, each answered 403 {"message":"invalid"}: algorithm confusion,
//! another issuer, expiry on the factory's clock, tampering, and keys that were never ours.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{Duration, TimeZone, Utc};
use jwt_simple::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};

async fn assert_invalid(app: &TestApp, jwt: &str, what: &str) {
    assert_eq!(
        app.verify(jwt).await,
        (StatusCode::FORBIDDEN, json!({"message": "invalid"})),
        "{what}"
    );
}

async fn ticket(app: &TestApp) -> String {
    let key = app.create_vendor("v1").await;
    let (status, body) = app.order_json(&key, &[1.0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["jwt"].as_str().unwrap().to_owned()
}

/// A ticket's header and claims, decoded.
fn parts(jwt: &str) -> (Value, Value) {
    let mut it = jwt
        .split('.')
        .map(|p| serde_json::from_slice(&B64.decode(p).unwrap()).unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

fn encode(v: &Value) -> String {
    B64.encode(v.to_string())
}

/// Our ticket's claims for another signer: issuer and content kept, times fresh.
fn foreign_claims(ours: &Value) -> JWTClaims<Value> {
    let mut custom = ours.clone();
    for registered in ["iss", "iat", "exp", "jti"] {
        custom.as_object_mut().unwrap().remove(registered);
    }
    Claims::with_custom_claims(custom, jwt_simple::prelude::Duration::from_hours(1))
        .with_issuer(ours["iss"].as_str().unwrap())
}

#[tokio::test]
async fn algorithm_confusion_is_invalid() {
    let app = spawn_app().await;
    let jwt = ticket(&app).await;
    let (header, claims) = parts(&jwt);
    let kid = header["kid"].as_str().unwrap();
    let (_, jwks) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["alg"], "EdDSA");

    // HS256 keyed with the public key, in each form a confused verifier might use as secret.
    let x = jwk["x"].as_str().unwrap();
    for secret in [
        B64.decode(x).unwrap(),
        x.as_bytes().to_vec(),
        jwk.to_string().into_bytes(),
    ] {
        let mut hs = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        hs.kid = Some(kid.to_owned());
        let forged =
            jsonwebtoken::encode(&hs, &claims, &jsonwebtoken::EncodingKey::from_secret(&secret).unwrap()).unwrap();
        assert_invalid(&app, &forged, "HS256 with the public key as secret").await;
    }
    // `alg: none`, with and without a signature part.
    for alg in ["none", "None", "NONE"] {
        let unsigned = format!(
            "{}.{}",
            encode(&json!({"alg": alg, "typ": "JWT", "kid": kid})),
            encode(&claims)
        );
        assert_invalid(&app, &format!("{unsigned}."), "alg none").await;
        let signature = jwt.rsplit('.').next().unwrap();
        assert_invalid(&app, &format!("{unsigned}.{signature}"), "alg none, signature kept").await;
    }
    // An ES256 header on the EdDSA kid, signed by a P-256 key of the attacker's.
    let claims = foreign_claims(&claims);
    let es256 = ES256KeyPair::generate().with_key_id(kid).sign(claims).unwrap();
    assert_eq!(parts(&es256).0["kid"], kid);
    assert_invalid(&app, &es256, "ES256 header on an EdDSA kid").await;
    // The real signature under a header that names another algorithm.
    let (_, rest) = jwt.split_once('.').unwrap();
    let relabelled = format!("{}.{rest}", encode(&json!({"alg": "ES256", "typ": "JWT", "kid": kid})));
    assert_invalid(&app, &relabelled, "header relabelled ES256").await;
}

#[tokio::test]
async fn tampered_tickets_and_keys_that_were_never_ours_are_invalid() {
    let app = spawn_app().await;
    let jwt = ticket(&app).await;
    let (header, claims) = parts(&jwt);
    let (_, rest) = jwt.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let tampered_claims = [
        ("price", json!({"order": {"items": [{"price": 0}]}})),
        ("vendor", json!({"vendor": {"id": "someone-else", "name": "x"}})),
        ("exp", json!({"exp": 99_999_999_999i64})),
        ("iss", json!({"iss": "elsewhere"})),
    ];
    for (what, change) in tampered_claims {
        let mut changed = claims.clone();
        for (k, v) in change.as_object().unwrap() {
            changed[k] = v.clone();
        }
        let forged = format!("{}.{}.{signature}", encode(&header), encode(&changed));
        assert_invalid(&app, &forged, what).await;
    }
    let mut respelled = header.clone();
    respelled["typ"] = json!("jwt");
    let forged = format!("{}.{}.{signature}", encode(&respelled), encode(&claims));
    assert_invalid(&app, &forged, "header changed").await;
    let mut flipped = B64.decode(signature).unwrap();
    flipped[0] ^= 1;
    assert_invalid(
        &app,
        &format!("{}.{}.{}", encode(&header), encode(&claims), B64.encode(flipped)),
        "signature",
    )
    .await;

    // Well-formed EdDSA tickets from keys the factory never had: an unknown kid, no kid, our kid.
    let claims = foreign_claims(&claims);
    let stranger = Ed25519KeyPair::generate();
    for (forged, what) in [
        (
            stranger
                .clone()
                .with_key_id("0123456789abcdef")
                .sign(claims.clone())
                .unwrap(),
            "unknown kid",
        ),
        (stranger.clone().sign(claims.clone()).unwrap(), "no kid"),
        (
            stranger
                .with_key_id(header["kid"].as_str().unwrap())
                .sign(claims)
                .unwrap(),
            "our kid, their key",
        ),
    ] {
        assert_invalid(&app, &forged, what).await;
    }
}

#[tokio::test]
async fn a_ticket_of_another_issuer_is_invalid_though_our_key_signed_it() {
    let app = spawn_with(|c| c.issuer = "elsewhere".into()).await;
    let jwt = ticket(&app).await;
    assert_eq!(parts(&jwt).1["iss"], "elsewhere");
    assert_eq!(app.verify(&jwt).await.0, StatusCode::OK);
    // Same store, same keys, another issuer configured.
    let app = app.restart_with(|c| c.issuer = "pizza-factory".into()).await;
    assert_invalid(&app, &jwt, "another issuer").await;
    let mut claims = parts(&jwt).1;
    claims.as_object_mut().unwrap().remove("iss");
    let (header, rest) = jwt.split_once('.').unwrap();
    let signature = rest.rsplit('.').next().unwrap();
    assert_invalid(&app, &format!("{header}.{}.{signature}", encode(&claims)), "no issuer").await;
}

#[tokio::test]
async fn expiry_follows_the_factory_clock_not_the_system_clock() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    // Expired on the factory clock, a day ahead of the system's, while unexpired on the system's.
    app.clock.set(Utc::now());
    let (_, body) = app.order_json(&key, &[1.0]).await;
    let jwt = body["jwt"].as_str().unwrap();
    app.advance(86_400);
    assert!(parts(jwt).1["exp"].as_i64().unwrap() > Utc::now().timestamp());
    assert_invalid(&app, jwt, "expired on the factory clock").await;
    // And the other way round: issued and checked in 2001, long expired on the system clock.
    app.clock.set(Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap());
    let (_, body) = app.order_json(&key, &[1.0]).await;
    let jwt = body["jwt"].as_str().unwrap();
    app.advance(86_399);
    assert_eq!(app.verify(jwt).await.0, StatusCode::OK);
    app.clock.advance(Duration::seconds(1));
    assert_invalid(&app, jwt, "expired at the factory's second").await;
}
