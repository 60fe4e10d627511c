//! Two instances on one PostgreSQL drain one delivery log: every delivery is attempted, and no
//! attempt is made twice (`FOR UPDATE SKIP LOCKED` claims), for hand-made deliveries and for
//! those of real events written by both instances at once.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::events::all_events;
use crate::helpers::{ADMIN_KEY, spawn_with};
use crate::receiver::{Receiver, enqueue, register};

fn delivered(metrics: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with("factory_webhook_deliveries_total{outcome=\"delivered\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test]
async fn two_instances_never_make_one_attempt_twice() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let other = app.another_instance().await;
    let receiver = Receiver::start(&[]).await;
    // Slow enough that both instances' workers have attempts in flight at once.
    receiver.delay(Duration::from_millis(100));
    let (id, _) = register(&app, json!({"url": receiver.url})).await;
    for seq in 1..=40 {
        enqueue(&app, seq, "chaos.started").await;
    }
    receiver.wait_for(40).await;
    // Time for a second attempt of anything, had it been claimed twice.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = receiver.received();
    let ids: HashSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!((got.len(), ids.len()), (40, 40), "an attempt was made twice");

    let mut counts = Vec::new();
    for instance in [&app, &other] {
        let metrics = instance
            .call(Method::GET, "/metrics", Some(ADMIN_KEY), None)
            .await
            .text()
            .await
            .unwrap();
        counts.push(delivered(&metrics));
    }
    assert_eq!(counts.iter().sum::<u64>(), 40, "{counts:?}");
    assert!(counts.iter().all(|n| *n > 0), "both instances delivered: {counts:?}");
    let log = crate::receiver::deliveries(&app, &id).await;
    assert!(log.iter().all(|d| d["state"] == "delivered" && d["attempts"] == 1));
}

#[tokio::test]
async fn events_of_two_instances_are_each_delivered_once_with_their_seq() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let other = app.another_instance().await;
    let receiver = Receiver::start(&[]).await;
    receiver.delay(Duration::from_millis(50));
    let (id, secret) = register(&app, json!({"url": receiver.url, "events": ["vendor.created"]})).await;
    // Both instances write events at once: the seqs are given at commit, in commit order.
    let names: Vec<String> = (0..20).map(|n| format!("v{n}")).collect();
    let creations = names.iter().enumerate().map(|(n, name)| {
        let instance = if n % 2 == 0 { &app } else { &other };
        instance.create_vendor(name)
    });
    futures_util::future::join_all(creations).await;

    let events: Vec<_> = all_events(&app, 0, 100)
        .await
        .into_iter()
        .filter(|e| e["type"] == "vendor.created" && e["vendorId"] != "admin")
        .collect();
    assert_eq!(events.len(), 20);
    let got = receiver.wait_for(20).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got_after = receiver.received();
    assert_eq!(got_after.len(), got.len(), "an attempt was made twice");
    let ids: HashSet<&str> = got.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!(ids.len(), 20);
    let mut seqs = HashSet::new();
    for r in &got {
        r.verify(&secret);
        let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(events.contains(&body), "the body is its event, seq included: {body}");
        seqs.insert(body["seq"].as_i64().unwrap());
    }
    assert_eq!(seqs.len(), 20, "every event once");
    let log = crate::receiver::deliveries(&app, &id).await;
    let logged: HashSet<i64> = log.iter().map(|d| d["eventSeq"].as_i64().unwrap()).collect();
    assert_eq!(logged, seqs);
}
