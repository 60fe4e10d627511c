//! Webhook deliveries (issue 14): signed, one delivery id across retries, backoff on the manual
//! clock, redirects not followed, private targets refused again at delivery time, slow
//! receivers holding no one else up. These enqueue hand-made events
//! through the store; real events are in `webhook_events.rs`.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, spawn_with};
use crate::receiver::{Receiver, attempted, enqueue, enqueue_at, register};

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not an instant: {v}")))
        .unwrap()
        .to_utc()
}

#[tokio::test]
async fn a_failing_receiver_gets_three_signed_attempts_of_one_delivery_with_backoff() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let receiver = Receiver::start(&[500, 500]).await;
    let (id, secret) = register(&app, json!({"url": receiver.url, "events": ["chaos.started"]})).await;
    assert_eq!(enqueue(&app, 2, "chaos.resolved").await, 0, "not subscribed");
    assert_eq!(enqueue(&app, 1, "chaos.started").await, 1);
    assert_eq!(enqueue(&app, 1, "chaos.started").await, 0, "one delivery per event");

    let first = attempted(&app, &id, 1).await;
    assert_eq!(
        (first["state"].as_str(), first["lastStatus"].as_u64()),
        (Some("pending"), Some(500))
    );
    let due = instant(&first["nextAttemptAt"]);
    let wait = (due - app.clock_now()).num_milliseconds();
    assert!((800..=1000).contains(&wait), "first backoff {wait} ms");
    // Not a moment early: a millisecond before, nothing is attempted.
    app.clock.set(due - chrono::Duration::milliseconds(1));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 1);

    app.clock.set(due);
    let second = attempted(&app, &id, 2).await;
    let due2 = instant(&second["nextAttemptAt"]);
    let wait = (due2 - due).num_milliseconds();
    assert!((1600..=2000).contains(&wait), "second backoff {wait} ms");
    app.clock.set(due2);
    let third = attempted(&app, &id, 3).await;
    assert_eq!(
        (third["state"].as_str(), third["lastStatus"].as_u64()),
        (Some("delivered"), Some(200))
    );
    assert_eq!(third["nextAttemptAt"], Value::Null);

    let got = receiver.received();
    assert_eq!(got.len(), 3);
    let sent_at: Vec<i64> = got.iter().map(|r| r.verify(&secret)).collect();
    assert_eq!(
        sent_at,
        vec![crate::helpers::t0().timestamp(), due.timestamp(), due2.timestamp()]
    );
    for r in &got {
        assert_eq!(
            r.delivery,
            first["id"].as_str().unwrap(),
            "one delivery id across retries"
        );
        assert_eq!(r.event, "chaos.started");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (body["seq"].as_i64(), body["vendorId"].as_str()),
            (Some(1), Some("team9"))
        );
    }
    let metrics = app
        .call(Method::GET, "/metrics", Some(ADMIN_KEY), None)
        .await
        .text()
        .await
        .unwrap();
    for line in [
        "factory_webhook_deliveries_total{outcome=\"retry\"} 2",
        "factory_webhook_deliveries_total{outcome=\"delivered\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} missing: {metrics}");
    }
    // The gauge follows on the worker's next step.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let metrics = app
            .call(Method::GET, "/metrics", Some(ADMIN_KEY), None)
            .await
            .text()
            .await
            .unwrap();
        if metrics.contains("factory_webhook_deliveries_pending 0") {
            break;
        }
        assert!(Instant::now() < deadline, "the pending gauge never reached 0");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn slack_webhooks_get_one_line_for_people() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let receiver = Receiver::start(&[]).await;
    let (_, secret) = register(&app, json!({"url": receiver.url, "format": "slack"})).await;
    enqueue(&app, 7, "chaos.started").await;
    let got = receiver.wait_for(1).await;
    got[0].verify(&secret);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with("Chaos started for team9 (fail) — "), "{text}");
    assert!(
        text.ends_with(&format!(
            "{}/admin/incidents/c0ffee00-0000-4000-8000-000000000000",
            app.url
        )),
        "{text}"
    );
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_not_followed() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let inside = Receiver::start(&[]).await;
    let outside = Receiver::start(&[]).await;
    outside.redirect_to(&inside.url);
    let (id, _) = register(&app, json!({"url": outside.url})).await;
    enqueue(&app, 1, "chaos.started").await;
    let d = attempted(&app, &id, 1).await;
    assert_eq!(
        (d["state"].as_str(), d["lastStatus"].as_u64()),
        (Some("pending"), Some(302))
    );
    assert_eq!(d["lastError"], "answered 302 (redirects are not followed)");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(inside.received().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn private_targets_are_refused_again_at_delivery_time() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let receiver = Receiver::start(&[]).await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let (named, _) = register(&app, json!({"url": by_name})).await;
    let (literal, _) = register(&app, json!({"url": receiver.url})).await;
    // Registered while allowed (or a name that resolved elsewhere then): the guard holds anyway.
    let app = app.restart_with(|c| c.webhook_allow_private = false).await;
    enqueue(&app, 1, "chaos.started").await;
    let d = attempted(&app, &named, 1).await;
    assert_eq!(d["lastStatus"], Value::Null);
    assert!(d["lastError"].as_str().unwrap().contains("no public address"), "{d}");
    let d = attempted(&app, &literal, 1).await;
    assert_eq!(d["lastError"], "the target address is not public");
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_slow_receiver_holds_up_no_other_delivery() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let slow = Receiver::start(&[]).await;
    slow.delay(Duration::from_secs(7));
    let fast = Receiver::start(&[]).await;
    let (slow_id, _) = register(&app, json!({"url": slow.url})).await;
    register(&app, json!({"url": fast.url})).await;
    enqueue(&app, 1, "chaos.started").await;
    slow.wait_for(1).await;
    let started = Instant::now();
    fast.wait_for(1).await;
    enqueue(&app, 2, "chaos.resolved").await;
    fast.wait_for(2).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the fast receiver waited {:?}",
        started.elapsed()
    );
    let d = attempted(&app, &slow_id, 1).await;
    assert_eq!(d["lastError"], "no answer within 5 s");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_by_hand_only_through_its_own_webhook() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let receiver = Receiver::start(&[500]).await;
    let (id, _) = register(&app, json!({"url": receiver.url})).await;
    let (other, _) = register(&app, json!({"url": receiver.url, "events": ["vendor.created"]})).await;
    // An event from a day ago: its first failure gives it up.
    enqueue_at(&app, 1, "chaos.started", app.clock_now() - chrono::Duration::hours(25)).await;
    let d = attempted(&app, &id, 1).await;
    assert_eq!(
        (d["state"].as_str(), d["nextAttemptAt"].clone()),
        (Some("failed"), Value::Null)
    );
    let delivery = d["id"].as_str().unwrap();

    let (status, body) = app
        .admin(
            Method::POST,
            &format!("/api/admin/webhooks/{other}/deliveries/{delivery}/retry"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some("no such delivery of this webhook"))
    );
    let (status, _) = app
        .admin(
            Method::POST,
            &format!("/api/admin/webhooks/{id}/deliveries/nope/retry"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let retry = format!("/api/admin/webhooks/{id}/deliveries/{delivery}/retry");
    let (status, body) = app.admin(Method::POST, &retry, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let d = attempted(&app, &id, 2).await;
    assert_eq!(d["state"], "delivered");
    let (status, _) = app.admin(Method::POST, &retry, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(receiver.received().len(), 2);
}
