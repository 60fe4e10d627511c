//! Tickets: ordering, verifying, JWKS, key rotation and algorithms.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jwt_simple::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, order_body, spawn_app, spawn_with};
use pizza_factory::tickets::Algorithm;

/// Verifies a ticket with jwt-simple, a different JWT implementation, given only the JWKS.
pub fn verify_independently(jwks: &Value, token: &str) -> JWTClaims<Value> {
    let header: Value = serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    let kid = header["kid"].as_str().expect("kid in header");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .expect("kid in JWKS");
    let bytes = |field: &str| B64.decode(jwk[field].as_str().unwrap()).unwrap();
    let options = VerificationOptions {
        accept_future: true,
        ..Default::default()
    };
    let claims: JWTClaims<Value> = match jwk["kty"].as_str().unwrap() {
        "OKP" => Ed25519PublicKey::from_bytes(&bytes("x"))
            .unwrap()
            .verify_token(token, Some(options)),
        "EC" => {
            let mut point = vec![4u8];
            point.extend(bytes("x"));
            point.extend(bytes("y"));
            ES256PublicKey::from_bytes(&point)
                .unwrap()
                .verify_token(token, Some(options))
        }
        "RSA" => RS256PublicKey::from_components(&bytes("n"), &bytes("e"))
            .unwrap()
            .verify_token(token, Some(options)),
        other => panic!("unexpected kty {other}"),
    }
    .expect("independent verification");
    assert_eq!(header["alg"], jwk["alg"]);
    assert_eq!(header["typ"], "JWT");
    claims
}

/// Verifies a ticket with jsonwebtoken given only the JWKS (the factory's own verification is
/// checked through `/api/order/verify`); the clock is the manual one, so `exp` is not checked.
fn verify_with_jsonwebtoken(jwks: &Value, token: &str, alg: Algorithm) -> Value {
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.clone()).unwrap();
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(alg.into());
    validation.set_issuer(&["pizza-factory"]);
    validation.validate_exp = false;
    let mut claims: Value = jsonwebtoken::decode(token, &key, &validation).unwrap().claims;
    for registered in ["iss", "iat", "exp", "jti"] {
        claims.as_object_mut().unwrap().remove(registered);
    }
    claims
}

#[tokio::test]
async fn every_algorithm_issues_tickets_jsonwebtoken_and_an_independent_library_verify() {
    for alg in [Algorithm::EdDSA, Algorithm::ES256, Algorithm::RS256] {
        let app = spawn_with(|c| c.ticket_alg = alg).await;
        let key = app.create_vendor("team7").await;
        let (status, body) = app.order_json(&key, &[0.0038]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let jwt = body["jwt"].as_str().unwrap();
        let (_, jwks) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
        for k in jwks["keys"].as_array().unwrap() {
            assert_eq!(k["use"], "sig");
            assert!(k["kid"].is_string() && k["kty"].is_string());
            assert_eq!(k["alg"], alg.as_str());
        }
        let verified = verify_independently(&jwks, jwt);
        assert_eq!(verify_with_jsonwebtoken(&jwks, jwt, alg), verified.custom);
        let claims = &verified.custom;
        assert_eq!(claims["vendor"], json!({"id": "team7", "name": "Vendor team7"}));
        assert_eq!(claims["order"], order_body(&[0.0038])["order"]);
        assert_eq!(claims["diner"]["email"], "j@jwt.com");
        assert_eq!(verified.issuer.as_deref(), Some("pizza-factory"));
        assert!(verified.jwt_id.is_some());
        let lifetime = verified.expires_at.unwrap().as_secs() - verified.issued_at.unwrap().as_secs();
        assert_eq!(lifetime, 86_400);
        let (status, verified) = app.verify(jwt).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(verified["message"], "valid");
        assert_eq!(verified["payload"]["vendor"]["id"], "team7");
    }
}

#[tokio::test]
async fn tickets_are_unique_and_tampering_is_invalid() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (_, a) = app.order_json(&key, &[1.0]).await;
    let (_, b) = app.order_json(&key, &[1.0]).await;
    assert_ne!(a["jwt"], b["jwt"]);
    let jwt = a["jwt"].as_str().unwrap();
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(&B64.decode(&parts[1]).unwrap()).unwrap();
    claims["order"]["items"][0]["price"] = json!(0);
    parts[1] = B64.encode(claims.to_string());
    for bad in [parts.join("."), "garbage".into(), String::new(), format!("{jwt}x")] {
        assert_eq!(
            app.verify(&bad).await,
            (StatusCode::FORBIDDEN, json!({"message": "invalid"}))
        );
    }
    for body in [json!({}), json!({"jwt": 5}), json!([1])] {
        let (status, msg) = app.json(Method::POST, "/api/order/verify", None, Some(body)).await;
        assert_eq!((status, msg), (StatusCode::FORBIDDEN, json!({"message": "invalid"})));
    }
    // Verify ignores credentials it is sent, even bogus ones.
    let (status, _) = app
        .json(
            Method::POST,
            "/api/order/verify",
            Some("nonsense"),
            Some(json!({"jwt": jwt})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn tickets_expire_with_the_factory_clock() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (_, body) = app.order_json(&key, &[1.0]).await;
    let jwt = body["jwt"].as_str().unwrap();
    app.advance(86_399);
    assert_eq!(app.verify(jwt).await.0, StatusCode::OK);
    app.advance(1);
    assert_eq!(app.verify(jwt).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn order_validation_follows_the_compat_rules() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let missing = json!({"message": "Missing required parameters"});
    for body in [
        json!({}),
        json!({"diner": {}}),
        json!({"order": {"items": []}}),
        json!({"diner": 1, "order": {}}),
    ] {
        assert_eq!(
            app.json(Method::POST, "/api/order", Some(&key), Some(body)).await,
            (StatusCode::BAD_REQUEST, missing.clone())
        );
    }
    let full = app.order_json(&key, &[0.01; 21]).await;
    assert_eq!(
        full,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"message": "Unable to satisfy pizza order. The oven is full."})
        )
    );
    assert_eq!(app.order_json(&key, &[0.01; 20]).await.0, StatusCode::OK);
    for (order, field) in [
        (json!({"items": "x"}), "order.items"),
        (json!({"items": []}), "order.items"),
        (json!({"items": [{"price": "1"}]}), "order.items[0].price"),
        (json!({"items": [{"price": -0.5}]}), "order.items[0].price"),
        (json!({}), "order.items"),
    ] {
        let (status, body) = app
            .json(
                Method::POST,
                "/api/order",
                Some(&key),
                Some(json!({"diner": {}, "order": order})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["message"].as_str().unwrap().contains(field), "{body}");
    }
    assert_eq!(app.order(&"x".repeat(43)).await.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .post(format!("{}/api/order", app.url))
        .json(&order_body(&[1.0]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "invalid authentication"})
    );
    // The scheme is case-insensitive.
    let res = app
        .client
        .post(format!("{}/api/order", app.url))
        .header("authorization", format!("bEaReR {key}"))
        .json(&order_body(&[1.0]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn rotated_keys_keep_verifying_until_their_tickets_expire() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (_, before) = app.order_json(&key, &[1.0]).await;
    let (status, rotated) = app.admin(Method::POST, "/api/admin/keys/rotate", None).await;
    assert_eq!(status, StatusCode::OK);
    let new_kid = rotated["kid"].as_str().unwrap();
    let (_, jwks) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    // The new key signs once a JWKS cached before the rotation has expired (key_rotation.rs).
    app.advance(60);
    let (_, after) = app.order_json(&key, &[1.0]).await;
    let header: Value = serde_json::from_slice(
        &B64.decode(after["jwt"].as_str().unwrap().split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], new_kid);
    assert_eq!(app.verify(before["jwt"].as_str().unwrap()).await.0, StatusCode::OK);
    verify_independently(&jwks, before["jwt"].as_str().unwrap());
    // Once every ticket of the old key has expired, the old key leaves the JWKS.
    app.advance(86_399);
    app.tick().await;
    let (_, jwks) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    app.advance(1);
    app.tick().await;
    let (_, jwks) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![new_kid]);
}

#[tokio::test]
async fn restart_keeps_vendors_keys_and_tickets() {
    let app = spawn_app().await;
    let key = app.create_vendor("v1").await;
    let (_, ticket) = app.order_json(&key, &[1.0]).await;
    let (_, jwks_before) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    let app = app.restart().await;
    let (_, jwks_after) = app.json(Method::GET, "/.well-known/jwks.json", None, None).await;
    assert_eq!(jwks_before, jwks_after);
    assert_eq!(app.verify(ticket["jwt"].as_str().unwrap()).await.0, StatusCode::OK);
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    let (status, me) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;
    assert_eq!((status, me["id"].clone()), (StatusCode::OK, json!("v1")));
    assert_eq!(
        app.admin(Method::GET, "/api/admin/vendors/v1", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.json(Method::GET, "/api/vendor", Some(ADMIN_KEY), None).await.0,
        StatusCode::OK
    );
}
