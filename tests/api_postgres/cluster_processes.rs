//! Issue 16 with three real processes on one PostgreSQL (the other cluster tests run instances
//! inside the test process, sharing its manual clock): a key works everywhere at once, wrong
//! fix codes are counted for the cluster, and `everyNth` numbers the incident's orders across
//! instances and a SIGKILL restart.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN_KEY, order_body};
use crate::instances::{Cluster, cluster};

/// Waits until instance `i` has vendor chaos loaded in its directory (`/metrics` counts the
/// active chaos this instance's order path acts on), without sending an order.
async fn knows_active_chaos(c: &Cluster, i: usize) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let text = c
            .client
            .get(c.url(i, "/metrics"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.lines().any(|l| l == "factory_chaos_active 1") {
            return;
        }
        assert!(Instant::now() < deadline, "instance {i} never loaded the chaos");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The status of one order of `key` through instance `i`, and the report URL if it failed.
async fn order(c: &Cluster, i: usize, key: &str) -> (StatusCode, Option<String>) {
    let res = c
        .client
        .post(c.url(i, "/api/order"))
        .bearer_auth(key)
        .json(&order_body(&[0.25]))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    (status, body["reportUrl"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn a_vendor_created_on_one_process_orders_on_the_others_with_no_retry() {
    let c = cluster();
    for n in 0..10 {
        let id = format!("fresh{n}");
        let key = c.create_vendor(n % 3, &id).await;
        for i in 0..3 {
            let (status, _) = order(&c, i, &key).await;
            assert_eq!(status, StatusCode::OK, "{id} on instance {i}");
        }
    }
}

#[tokio::test]
async fn ten_wrong_codes_over_three_processes_make_the_eleventh_429_on_each() {
    let c = cluster();
    let key = c.create_vendor(0, "v").await;
    let (status, body) = c
        .post_admin(0, "/api/admin/vendors/v/chaos", json!({"mode": "fail", "start": "now"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for i in 0..3 {
        knows_active_chaos(&c, i).await;
    }
    let (status, report) = order(&c, 0, &key).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let report = report.expect("a report URL");
    let (base, _code) = report.rsplit_once('/').unwrap();
    let path = base.split_once("/api/").unwrap().1;
    let wrong = |i: usize| c.url(i, &format!("/api/{path}/{}", "f".repeat(32)));
    for n in 0..10 {
        let status = c.client.get(wrong(n % 3)).send().await.unwrap().status();
        assert_eq!(status, StatusCode::BAD_REQUEST, "wrong code {n}");
    }
    for i in 0..3 {
        let status = c.client.get(wrong(i)).send().await.unwrap().status();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the 11th on instance {i}");
    }
}

#[tokio::test]
async fn every_third_order_fails_round_robin_over_three_processes_and_a_kill9_restart() {
    let mut c = cluster();
    let key = c.create_vendor(0, "v").await;
    let chaos = json!({"mode": "flaky", "start": "now", "params": {"everyNth": 3}});
    let (status, body) = c.post_admin(1, "/api/admin/vendors/v/chaos", chaos).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for i in 0..3 {
        knows_active_chaos(&c, i).await;
    }
    let mut failed = Vec::new();
    for n in 1..=30 {
        if n == 14 {
            c.restart(2);
            knows_active_chaos(&c, 2).await;
        }
        let (status, _) = order(&c, n % 3, &key).await;
        if status != StatusCode::OK {
            failed.push(n);
        }
    }
    assert_eq!(failed, (1..=10).map(|k| 3 * k).collect::<Vec<_>>());
}
