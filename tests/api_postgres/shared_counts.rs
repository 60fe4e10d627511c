//! Incident counters and the kill switch across instances: every order of every instance is
//! counted exactly once, and a halt through one instance stops chaos on all of them.

use std::time::Duration;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::instances::{Cluster, cluster};

/// Sends `n` orders of `key` to instance `i`, all expected to fail with chaos `fail`.
async fn failing_orders(c: &Cluster, i: usize, key: &str, n: usize) {
    let statuses = join_all((0..n).map(|_| c.order(i, key))).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::INTERNAL_SERVER_ERROR),
        "{statuses:?}"
    );
}

/// Waits until the stored counters of the incident reach `failed` orders, then checks that they
/// stay there: nothing lost, nothing counted twice.
async fn counted(c: &Cluster, via: usize, id: &str, failed: u64) {
    c.eventually(via, Duration::from_secs(3), "counters flushed", |i| async move {
        c.incident(i, id).await["stats"]["ordersFailed"].as_u64().unwrap() >= failed
    })
    .await;
    // Several flush ticks of every instance later, the sum has not moved.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let incident = c.incident(via, id).await;
    let stats = &incident["stats"];
    assert_eq!(stats["ordersFailed"], json!(failed), "{stats}");
    assert_eq!(stats["ordersAffected"], json!(failed), "{stats}");
    assert_eq!(stats["lostRevenue"], json!(failed as f64 * 0.25), "{stats}");
    // The per-minute counts of every instance add up to the same figure.
    let minutes = incident["minutes"].as_array().unwrap();
    let sum = |f: &dyn Fn(&serde_json::Value) -> u64| minutes.iter().map(f).sum::<u64>();
    assert_eq!(sum(&|m| m["failed"].as_u64().unwrap()), failed, "{minutes:?}");
    assert_eq!(sum(&|m| m["byStatus"]["500"].as_u64().unwrap()), failed, "{minutes:?}");
    assert_eq!(sum(&|m| m["served"].as_u64().unwrap()), 0, "{minutes:?}");
}

#[tokio::test]
async fn counters_sum_the_orders_of_all_instances_even_after_a_sigkill() {
    let mut c = cluster();
    let key = c.vendor_everywhere(0, "v").await;
    let (status, incident) = c
        .post_admin(1, "/api/admin/vendors/v/chaos", json!({"mode": "fail", "start": "now"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    let id = incident["id"].as_str().unwrap().to_owned();
    for i in 0..3 {
        c.eventually(i, Duration::from_secs(1), "chaos active", |i| {
            c.order_is(i, &key, StatusCode::INTERNAL_SERVER_ERROR)
        })
        .await;
    }
    // The probes above failed orders too; count them from the store itself.
    counted(&c, 0, &id, 3).await;
    join_all((0..3).map(|i| failing_orders(&c, i, &key, 40))).await;
    counted(&c, 0, &id, 3 + 120).await;

    // Instance 2 dies mid-incident, after its counts were flushed: they survive, and the
    // others keep adding theirs.
    c.instances[2].kill9();
    join_all((0..2).map(|i| failing_orders(&c, i, &key, 25))).await;
    counted(&c, 1, &id, 3 + 120 + 50).await;
}

#[tokio::test]
async fn the_halt_switch_on_one_instance_stops_chaos_on_all() {
    let c = cluster();
    let a = c.vendor_everywhere(0, "a").await;
    let b = c.create_vendor(0, "b").await;
    for (i, vendor) in [(0, "a"), (1, "b")] {
        let (status, body) = c
            .post_admin(
                i,
                &format!("/api/admin/vendors/{vendor}/chaos"),
                json!({"mode": "fail", "start": "now"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = c
        .post_admin(
            1,
            "/api/admin/vendors/a/chaos",
            json!({"mode": "fail", "start": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "one open chaos per vendor, across instances: {body}"
    );
    for i in 0..3 {
        for key in [&a, &b] {
            c.eventually(i, Duration::from_secs(1), "chaos active", |i| {
                c.order_is(i, key, StatusCode::INTERNAL_SERVER_ERROR)
            })
            .await;
        }
    }
    let (status, body) = c
        .post_admin(2, "/api/admin/chaos/halt", json!({"reason": "exam tonight"}))
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"halted": 2, "pausedUntil": null}))
    );
    for i in 0..3 {
        for key in [&a, &b] {
            c.eventually(i, Duration::from_secs(1), "chaos halted", |i| {
                c.order_is(i, key, StatusCode::OK)
            })
            .await;
        }
    }
}

#[tokio::test]
async fn a_pause_set_through_one_instance_holds_on_all() {
    let c = cluster();
    let key = c.vendor_everywhere(0, "v").await;
    c.vendor_everywhere(0, "w").await;
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    let (status, soon_chaos) = c
        .post_admin(
            1,
            "/api/admin/vendors/v/chaos",
            json!({"mode": "fail", "start": soon.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{soon_chaos}");
    let until = chrono::Utc::now() + chrono::Duration::days(2);
    let (status, halted) = c
        .post_admin(
            0,
            "/api/admin/chaos/halt",
            json!({"reason": "exam", "until": until.to_rfc3339()}),
        )
        .await;
    assert_eq!((status, halted["halted"].clone()), (StatusCode::OK, json!(0)));
    // Every instance learns of the pause within a few ticks.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for i in 0..3 {
        let (_, pause) = c.admin(i, reqwest::Method::GET, "/api/admin/chaos/pause", None).await;
        assert_eq!(pause["paused"], true, "instance {i}");
    }
    let (status, held) = c
        .post_admin(2, "/api/admin/vendors/w/chaos", json!({"mode": "fail", "start": "now"}))
        .await;
    assert_eq!(
        (status, held["state"].clone()),
        (StatusCode::CREATED, json!("scheduled")),
        "{held}"
    );
    // v's start passes during the pause: no instance bites, and it was moved past the pause.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for i in 0..3 {
        assert_eq!(c.order(i, &key).await, StatusCode::OK, "instance {i}");
    }
    let moved = c.incident(2, soon_chaos["id"].as_str().unwrap()).await;
    let start: chrono::DateTime<chrono::Utc> = moved["startAt"].as_str().unwrap().parse().unwrap();
    assert!(start >= until && moved["state"] == "scheduled", "{moved}");
}
