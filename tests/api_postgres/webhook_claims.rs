//! Two instances on one PostgreSQL drain one delivery log: every delivery is attempted, and no
//! attempt is made twice (`FOR UPDATE SKIP LOCKED` claims).

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

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
