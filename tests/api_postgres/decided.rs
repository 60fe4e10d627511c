//! Several instances on one PostgreSQL database (issue 16): limits and counts hold for the
//! cluster, and each race between two instances ends in the one state a single instance would
//! reach, whatever either had cached. Instances here share the test's manual clock.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use pizza_factory::domain::VendorId;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::cluster_counts::{failed, try_code};
use crate::helpers::{TestApp, spawn_app};

async fn three_instances() -> Vec<TestApp> {
    let a = spawn_app().await;
    let b = a.another_instance().await;
    let c = a.another_instance().await;
    vec![a, b, c]
}

/// Waits until `app` has loaded vendor `id`'s chaos (`true`) or its absence (`false`).
async fn knows_chaos(app: &TestApp, id: &str, chaos: bool) {
    let id = VendorId::parse(id).unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while app.factory.directory.by_id(&id).map(|e| e.chaos.is_some()) != Some(chaos) {
        assert!(Instant::now() < deadline, "the instance never caught up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn ten_wrong_codes_over_three_instances_make_the_eleventh_429_on_each() {
    let apps = three_instances().await;
    apps[0].create_vendor("v").await;
    apps[0].chaos("v", json!({"mode": "fail", "start": "now"})).await;
    for app in &apps {
        knows_chaos(app, "v", true).await;
    }
    let wrong = "f".repeat(32);
    for i in 0..10 {
        assert_eq!(try_code(&apps[i % 3], &wrong).await, StatusCode::BAD_REQUEST, "try {i}");
    }
    for app in &apps {
        assert_eq!(try_code(app, &wrong).await, StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn every_third_order_fails_round_robin_over_three_instances_and_a_restart() {
    let mut apps = three_instances().await;
    let key = apps[0].create_vendor("v").await;
    apps[0]
        .chaos("v", json!({"mode": "flaky", "start": "now", "params": {"everyNth": 3}}))
        .await;
    for app in &apps {
        knows_chaos(app, "v", true).await;
    }
    let mut failing = Vec::new();
    for n in 1..=30 {
        if n == 15 {
            let b = apps.remove(1);
            apps.insert(1, b.restart().await);
        }
        if failed(&apps[n % 3], &key).await {
            failing.push(n);
        }
    }
    assert_eq!(failing, (1..=10).map(|i| i * 3).collect::<Vec<_>>());
}

#[tokio::test]
async fn ending_through_an_instance_that_has_not_caught_up_ends_what_the_store_holds() {
    let apps = three_instances().await;
    let (a, b) = (&apps[0], &apps[1]);
    a.create_vendor("v").await;
    a.create_vendor("w").await;
    knows_chaos(b, "w", false).await;
    // Started through A a moment ago: B has not loaded it, yet its end is a resolution.
    let started = a.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    let (status, ended) = b.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(
        (ended["id"].clone(), ended["state"].clone()),
        (started["id"].clone(), json!("resolved"))
    );
    // Scheduled through A for later: ended through B, it is cancelled.
    let later = a
        .chaos("v", json!({"mode": "fail", "start": "2030-01-01T00:00:00Z"}))
        .await;
    let (status, ended) = b.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(
        (ended["id"].clone(), ended["state"].clone()),
        (later["id"].clone(), json!("cancelled"))
    );
    // A halt through B ends what A started on both vendors, leaving no chaos open.
    let v = a.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    let w = a.chaos("w", json!({"mode": "fail", "start": "now"})).await;
    let (status, halted) = b
        .admin(Method::POST, "/api/admin/chaos/halt", Some(json!({"reason": "exam"})))
        .await;
    assert_eq!(
        (status, halted["halted"].clone()),
        (StatusCode::OK, json!(2)),
        "{halted}"
    );
    for incident in [v, w] {
        let read = a.incident(incident["id"].as_str().unwrap()).await;
        assert_eq!(read["state"], "resolved", "{read}");
    }
    for app in &apps {
        knows_chaos(app, "v", false).await;
        knows_chaos(app, "w", false).await;
    }
}

#[tokio::test]
async fn concurrent_own_requests_over_two_instances_all_answer_as_one_instance_would() {
    let apps = three_instances().await;
    let key = apps[0].create_vendor("v").await;
    for app in &apps[1..] {
        let id = VendorId::parse("v").unwrap();
        let deadline = Instant::now() + Duration::from_secs(3);
        while app.factory.directory.by_id(&id).is_none() {
            assert!(Instant::now() < deadline, "vendor never served");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let answers =
        join_all((0..8).map(|i| apps[i % 2].json(Method::PUT, "/api/vendor/chaos/fail", Some(&key), None))).await;
    for (status, body) in &answers {
        assert_eq!(
            (*status, body.clone()),
            (StatusCode::OK, json!({"message": "Chaos initiated"})),
            "{answers:?}"
        );
    }
    // One chaos stays scheduled, as after eight requests to one instance.
    let (_, open) = apps[2]
        .admin(Method::GET, "/api/admin/incidents?vendor=v&state=scheduled", None)
        .await;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
}
