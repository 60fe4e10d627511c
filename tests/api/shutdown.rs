//! Shutdown answers everyone it holds: on SIGTERM or SIGINT, throttled orders get their valid
//! ticket at once and are counted before the process exits (issue 10, item 7).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::order_body;
use crate::process::{create_vendor, post, start};

const ADMIN: &str = "configured-admin-key-0123456789abcdef0123456789";

/// Waits until `n` orders wait in a throttle, as `/metrics` tells.
async fn held(client: &reqwest::Client, url: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = client
            .get(format!("{url}/metrics"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let line = metrics
            .lines()
            .find(|l| l.contains("throttled_in_flight") && !l.starts_with('#'));
        if line.is_some_and(|l| l.ends_with(&format!(" {n}"))) {
            return;
        }
        assert!(Instant::now() < deadline, "orders never held: {line:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn held_orders_are_answered_and_counted(signal: &'static str) {
    let dir = tempfile::tempdir().unwrap();
    let mut factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
    let client = reqwest::Client::new();
    let key = create_vendor(&client, &factory.url, ADMIN, "v1").await;
    let chaos = json!({"mode": "throttle", "start": "now", "params": {"delayMs": 30_000}});
    let res = post(
        &client,
        &format!("{}/api/admin/vendors/v1/chaos", factory.url),
        ADMIN,
        chaos,
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let incident = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let orders: Vec<_> = (0..3)
        .map(|_| {
            let req = client
                .post(format!("{}/api/order", factory.url))
                .bearer_auth(&key)
                .json(&order_body(&[1.0]));
            tokio::spawn(async move {
                let res = req.send().await.expect("answered, not cut off");
                let answered = Instant::now();
                (res.status(), res.json::<Value>().await.unwrap(), answered)
            })
        })
        .collect();
    held(&client, &factory.url, 3).await;
    let signalled = Instant::now();
    let stopped = tokio::task::spawn_blocking(move || {
        let status = factory.signal(signal);
        (status, factory.log())
    });
    let mut tickets = Vec::new();
    for order in orders {
        let (status, body, answered) = order.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            answered - signalled < Duration::from_secs(2),
            "answered {:?} after SIG{signal}",
            answered - signalled
        );
        tickets.push(body["jwt"].as_str().unwrap().to_owned());
    }
    let (status, log) = stopped.await.unwrap();
    assert!(status.success(), "SIG{signal} is a clean stop: {log}");
    assert!(log.contains("pizza factory stopped"), "{log}");

    let factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
    for jwt in tickets {
        let res = post(
            &client,
            &format!("{}/api/order/verify", factory.url),
            "-",
            json!({ "jwt": jwt }),
        )
        .await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["message"], "valid", "a real ticket: {body}");
    }
    let stored: Value = client
        .get(format!("{}/api/admin/incidents/{incident}", factory.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["stats"]["ordersAffected"], 3, "counted before exit: {stored}");
    assert_eq!(stored["stats"]["ordersSucceeded"], 3);
}

#[tokio::test]
async fn sigterm_answers_throttled_orders_at_once_and_counts_them() {
    held_orders_are_answered_and_counted("TERM").await;
}

#[tokio::test]
async fn sigint_is_as_graceful_as_sigterm() {
    held_orders_are_answered_and_counted("INT").await;
}
