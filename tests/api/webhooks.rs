//! Webhook registration through the API (issue 14): the secret shown once, precise 400s, and
//! the SSRF guard refusing every private target unless FACTORY_WEBHOOK_ALLOW_PRIVATE=1.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, spawn_app, spawn_with};
use crate::process;
use crate::receiver::register;

#[tokio::test]
async fn the_secret_is_shown_once_and_never_listed() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let (status, created) = app
        .admin(
            Method::POST,
            "/api/admin/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/hook", "format": "slack"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() >= 6 + 32, "{secret}");
    assert_eq!(created["format"], "slack");
    let chaos_types: Vec<&str> = created["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(chaos_types.len(), 7);
    assert!(chaos_types.iter().all(|t| t.starts_with("chaos.")));

    let listed = app
        .call(Method::GET, "/api/admin/webhooks", Some(ADMIN_KEY), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(secret) && !listed.contains("secret"), "{listed}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["id"], created["id"]);
    assert_eq!(listed[0]["url"], "http://127.0.0.1:9/hook");

    let id = created["id"].as_str().unwrap();
    let (status, body) = app
        .admin(Method::GET, &format!("/api/admin/webhooks/{id}/deliveries"), None)
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!([])));
    let path = format!("/api/admin/webhooks/{id}");
    assert_eq!(
        app.call(Method::DELETE, &path, Some(ADMIN_KEY), None).await.status(),
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.admin(Method::DELETE, &path, None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("webhook not found"))
    );
    let (status, body) = app.admin(Method::GET, &format!("{path}/deliveries"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = app.admin(Method::DELETE, "/api/admin/webhooks/nope", None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("webhook id must be a UUID"))
    );
}

#[tokio::test]
async fn webhooks_are_for_admins_only() {
    let app = spawn_app().await;
    let key = app.create_vendor("team9").await;
    let (status, _) = app.json(Method::GET, "/api/admin/webhooks", Some(&key), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .json(
            Method::POST,
            "/api/admin/webhooks",
            None,
            Some(json!({"url": "https://1.1.1.1/"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_registrations_get_a_precise_400() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let long = format!("https://1.1.1.1/{}", "a".repeat(2048));
    for (body, says) in [
        (json!({"url": "ftp://1.1.1.1/x"}), "url must use http or https"),
        (json!({"url": "not a url"}), "url must be an absolute http or https URL"),
        (json!({"url": long}), "url must be at most 2048 characters"),
        (
            json!({"url": "https://user:pw@1.1.1.1/"}),
            "url must not carry a user name or password",
        ),
        (
            json!({"url": "https://1.1.1.1/", "events": ["chaos.exploded"]}),
            "events: unknown event type \"chaos.exploded\"",
        ),
        (
            json!({"url": "https://1.1.1.1/", "events": []}),
            "events must name at least one event type",
        ),
        (
            json!({"url": "https://1.1.1.1/", "format": "xml"}),
            "format must be json or slack",
        ),
    ] {
        let (status, answer) = app.admin(Method::POST, "/api/admin/webhooks", Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(says), "{body}: {message}");
    }
    let (status, answer) = app
        .admin(
            Method::POST,
            "/api/admin/webhooks",
            Some(json!({"url": "https://1.1.1.1/", "secret": "mine"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    for i in 0..50 {
        register(
            &app,
            json!({"url": format!("https://1.1.1.1/{i}"), "events": ["vendor.created", "vendor.created"]}),
        )
        .await;
    }
    let (status, answer) = app
        .admin(
            Method::POST,
            "/api/admin/webhooks",
            Some(json!({"url": "https://1.1.1.1/51"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["message"],
        "at most 50 webhooks may be registered; delete one first"
    );
    let (_, listed) = app.admin(Method::GET, "/api/admin/webhooks", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 50);
    assert_eq!(
        listed[0]["events"],
        json!(["vendor.created"]),
        "duplicates are kept once"
    );
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let app = spawn_app().await;
    for url in [
        "http://localhost/hook",
        "http://localhost.:8080/hook",
        "http://127.0.0.1/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://100.64.1.1/hook",
        "http://[fd00::1]/hook",
        "http://[fe80::1]/hook",
        "http://2130706433/hook",
    ] {
        let (status, answer) = app
            .admin(Method::POST, "/api/admin/webhooks", Some(json!({"url": url})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains("must be public unless FACTORY_WEBHOOK_ALLOW_PRIVATE=1"),
            "{url}: {message}"
        );
    }
    let (status, answer) = app
        .admin(
            Method::POST,
            "/api/admin/webhooks",
            Some(json!({"url": "https://1.1.1.1/hook"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, listed) = app.admin(Method::GET, "/api/admin/webhooks", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "nothing refused was stored");
}

#[tokio::test]
async fn the_secret_never_reaches_the_log() {
    const ADMIN: &str = "configured-admin-key-0123456789abcdef0123456789";
    let dir = tempfile::tempdir().unwrap();
    let factory = process::start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/api/admin/webhooks", factory.url))
        .bearer_auth(ADMIN)
        .json(&json!({"url": "https://1.1.1.1/hook"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().expect("a secret");
    client
        .get(format!("{}/api/admin/webhooks", factory.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    // The log is read by a thread of its own: wait for the registration's line to arrive.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !factory.log().contains("registered") {
        assert!(
            std::time::Instant::now() < deadline,
            "no registration line: {}",
            factory.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!factory.log().contains(secret), "the secret is in the log");
}
