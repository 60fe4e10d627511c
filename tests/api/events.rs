//! Events: every change in one order, paged with `after`/`limit`; admins only. The stream of
//! them is tested in `event_stream.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app, t0};

/// Every event after `after`, paged through `limit` at a time.
pub async fn all_events(app: &TestApp, after: i64, limit: usize) -> Vec<Value> {
    let mut after = after;
    let mut all = Vec::new();
    loop {
        let (status, page) = app
            .admin(
                Method::GET,
                &format!("/api/admin/events?after={after}&limit={limit}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let events = page["events"].as_array().unwrap().clone();
        assert!(events.len() <= limit);
        if events.is_empty() {
            assert_eq!(page["next"], json!(after), "an empty page names the same after");
            return all;
        }
        assert_eq!(page["next"], events.last().unwrap()["seq"]);
        after = page["next"].as_i64().unwrap();
        all.extend(events);
    }
}

fn typed(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["vendorId"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn strictly_increasing(events: &[Value]) {
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
}

#[tokio::test]
async fn a_full_chaos_life_and_vendor_changes_are_events_in_order_without_secrets() {
    let app = spawn_app().await;
    let mut keys = Vec::new();
    for v in ["a", "b", "c", "d"] {
        keys.push(app.create_vendor(v).await);
    }
    // a: scheduled, started, first failure, resolved through its report URL.
    app.chaos("a", json!({"mode": "fail", "start": "now"})).await;
    let (status, body) = app.order_json(&keys[0], &[0.05]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let report = body["reportUrl"].as_str().unwrap().to_owned();
    app.tick().await;
    assert_eq!(app.client.get(&report).send().await.unwrap().status(), StatusCode::OK);
    // b: scheduled for later, cancelled.
    let later = (t0() + chrono::Duration::hours(3)).to_rfc3339();
    app.chaos("b", json!({"mode": "fail", "start": later})).await;
    assert_eq!(
        app.admin(Method::DELETE, "/api/admin/vendors/b/chaos", None).await.0,
        StatusCode::OK
    );
    // d: expires after its maximum duration.
    app.chaos("d", json!({"mode": "fail", "start": "now", "maxDurationSecs": 60}))
        .await;
    app.advance(60);
    app.tick().await;
    // c: halted by the kill switch.
    app.chaos("c", json!({"mode": "fail", "start": "now"})).await;
    let (status, halted) = app
        .admin(Method::POST, "/api/admin/chaos/halt", Some(json!({"reason": "exam"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{halted}");
    // Vendor changes.
    let (status, rotated) = app.admin(Method::POST, "/api/admin/vendors/a/apikey", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.admin(Method::DELETE, "/api/admin/vendors/b", None).await.0,
        StatusCode::NO_CONTENT
    );

    let events = all_events(&app, 0, 1000).await;
    strictly_increasing(&events);
    let expected: Vec<(String, String)> = [
        ("vendor.created", "admin"),
        ("vendor.created", "a"),
        ("vendor.created", "b"),
        ("vendor.created", "c"),
        ("vendor.created", "d"),
        ("chaos.scheduled", "a"),
        ("chaos.started", "a"),
        ("chaos.first_failure", "a"),
        ("chaos.resolved", "a"),
        ("chaos.scheduled", "b"),
        ("chaos.cancelled", "b"),
        ("chaos.scheduled", "d"),
        ("chaos.started", "d"),
        ("chaos.expired", "d"),
        ("chaos.scheduled", "c"),
        ("chaos.started", "c"),
        ("chaos.halted", "c"),
        ("vendor.key_rotated", "a"),
        ("vendor.deleted", "b"),
    ]
    .iter()
    .map(|(t, v)| (t.to_string(), v.to_string()))
    .collect();
    assert_eq!(typed(&events), expected);
    // Each field as the contract names it; chaos events name their incident.
    let resolved = &events[8];
    assert!(resolved["incidentId"].as_str().is_some(), "{resolved}");
    assert_eq!(resolved["detail"]["mode"], "fail");
    assert!(resolved["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(events[17]["incidentId"], Value::Null);
    // No key and no fix code anywhere in them.
    let text = serde_json::to_string(&events).unwrap();
    let code = report.rsplit('/').next().unwrap();
    for secret in [code, keys[0].as_str(), rotated["apiKey"].as_str().unwrap(), ADMIN_KEY] {
        assert!(!text.contains(secret), "a secret in the events: {text}");
    }
}

#[tokio::test]
async fn vendors_are_refused_and_bad_cursors_and_limits_are_precise_400s() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    for path in ["/api/admin/events", "/api/admin/events/stream"] {
        let (status, body) = app.json(Method::GET, path, Some(&key), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(body["message"].is_string());
        assert_eq!(
            app.json(Method::GET, path, None, None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    for (query, message) in [
        ("after=-1", "after must be an event seq: a whole number from 0"),
        ("after=x", "after must be an event seq: a whole number from 0"),
        ("limit=0", "limit must be a whole number from 1 to 1000"),
        ("limit=1001", "limit must be a whole number from 1 to 1000"),
        ("limit=ten", "limit must be a whole number from 1 to 1000"),
    ] {
        let (status, body) = app
            .admin(Method::GET, &format!("/api/admin/events?{query}"), None)
            .await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, json!({ "message": message })),
            "{query}"
        );
    }
    let (status, body) = app.admin(Method::GET, "/api/admin/events?color=red", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let res = app
        .client
        .get(format!("{}/api/admin/events/stream", app.url))
        .bearer_auth(ADMIN_KEY)
        .header("last-event-id", "seven")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Last-Event-ID must be an event seq: a whole number from 0"})
    );
}

#[tokio::test]
async fn paging_with_after_and_limit_reads_every_event_once() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.create_vendor(&format!("v{i}")).await;
    }
    let whole = all_events(&app, 0, 1000).await;
    assert_eq!(whole.len(), 8, "the admin and seven vendors");
    assert_eq!(all_events(&app, 0, 3).await, whole);
    assert_eq!(all_events(&app, 0, 1).await, whole);
    let from = whole[4]["seq"].as_i64().unwrap();
    assert_eq!(all_events(&app, from, 2).await, whole[5..].to_vec());
    // The default page is 100 events.
    let (_, page) = app.admin(Method::GET, "/api/admin/events", None).await;
    assert_eq!(page["events"].as_array().unwrap().len(), 8);
}
