//! Counts and caps the store keeps (issue 16), so they hold across restarts and reloads of
//! the directory (and, on PostgreSQL, across instances: `tests/api_postgres/decided.rs`).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_with};

/// Tries `code` on the report URL of vendor `v`; the answer's status.
pub async fn try_code(app: &TestApp, code: &str) -> StatusCode {
    let path = format!("/api/support/v/report/{code}");
    app.call(Method::GET, &path, None, None).await.status()
}

#[tokio::test]
async fn wrong_fix_codes_stay_counted_across_a_restart() {
    let app = spawn_app().await;
    app.create_vendor("v").await;
    app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    let wrong = "f".repeat(32);
    for _ in 0..6 {
        assert_eq!(try_code(&app, &wrong).await, StatusCode::BAD_REQUEST);
    }
    // The in-memory limiter starts empty again: the store still counts the first six.
    let app = app.restart().await;
    for _ in 0..4 {
        assert_eq!(try_code(&app, &wrong).await, StatusCode::BAD_REQUEST);
    }
    assert_eq!(try_code(&app, &wrong).await, StatusCode::TOO_MANY_REQUESTS);
    // A minute after the first try, the client may try again.
    app.advance(60);
    assert_eq!(try_code(&app, &wrong).await, StatusCode::BAD_REQUEST);
}

/// Sends one order of `key` to `app`; whether it failed with chaos.
pub async fn failed(app: &TestApp, key: &str) -> bool {
    let status = app.order(key).await.status();
    assert!(
        status == StatusCode::OK || status == StatusCode::INTERNAL_SERVER_ERROR,
        "{status}"
    );
    status == StatusCode::INTERNAL_SERVER_ERROR
}

#[tokio::test]
async fn every_nth_numbers_the_incidents_orders_across_a_restart() {
    let mut app = spawn_app().await;
    let key = app.create_vendor("v").await;
    app.chaos("v", json!({"mode": "flaky", "start": "now", "params": {"everyNth": 3}}))
        .await;
    let mut failing = Vec::new();
    for n in 1..=30 {
        if n == 14 {
            app = app.restart().await;
        }
        if failed(&app, &key).await {
            failing.push(n);
        }
    }
    assert_eq!(failing, (1..=10).map(|i| i * 3).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_throttle_cap_holds_across_directory_reloads() {
    let app = spawn_with(|c| c.max_throttled_per_vendor = 2).await;
    let key = app.create_vendor("v").await;
    app.chaos(
        "v",
        json!({"mode": "throttle", "start": "now", "params": {"delayMs": 10000}}),
    )
    .await;
    let mut orders = Vec::new();
    for _ in 0..5 {
        let (client, url, key) = (app.client.clone(), format!("{}/api/order", app.url), key.clone());
        orders.push(tokio::spawn(async move {
            let body = crate::helpers::order_body(&[0.05]);
            client
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
        // Give the order time to take its place, then rebuild the directory from the store.
        tokio::time::sleep(Duration::from_millis(150)).await;
        app.factory.reload().await.unwrap();
    }
    // The clock has not moved: only the orders holding a place are still waiting.
    let waiting = orders.iter().filter(|o| !o.is_finished()).count();
    assert_eq!(waiting, 2, "orders held at once with a cap of 2");
    app.advance(10);
    for order in orders {
        assert_eq!(order.await.unwrap(), StatusCode::OK);
    }
}
