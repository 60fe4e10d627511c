//! Events from three instances on one PostgreSQL: one order, and a reader paging with `after=`
//! while they write never passes over an event that commits late with a smaller seq.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::events::all_events;
use crate::helpers::{TestApp, spawn_app};

/// Vendors each instance creates at once, all racing (the test below makes the race certain).
const PER_INSTANCE: usize = 15;

/// Pages through the events of `app` from the start, a few at a time, until `done` and caught up.
async fn read_while_written(app: &TestApp, done: &AtomicBool) -> Vec<Value> {
    let (mut after, mut seen) = (0, Vec::new());
    loop {
        let finished = done.load(Ordering::Acquire);
        let (status, page) = app
            .admin(Method::GET, &format!("/api/admin/events?after={after}&limit=5"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let events = page["events"].as_array().unwrap();
        if events.is_empty() {
            if finished {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(3)).await;
            continue;
        }
        after = page["next"].as_i64().unwrap();
        seen.extend(events.iter().cloned());
    }
}

#[tokio::test]
async fn three_instances_writing_at_once_give_one_order_that_a_reader_never_skips() {
    let first = spawn_app().await;
    let apps = [first.another_instance().await, first.another_instance().await];
    let apps = [&first, &apps[0], &apps[1]];
    let done = AtomicBool::new(false);
    let writers = async {
        let creates = (0..3).flat_map(|i| (0..PER_INSTANCE).map(move |j| (i, format!("i{i}v{j}"))));
        join_all(creates.map(|(i, id)| async move {
            let app = apps[i];
            let (status, body) = app
                .admin(Method::POST, "/api/admin/vendors", Some(json!({"id": id, "name": id})))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            // A second event of the same vendor (through the same instance: another may not
            // have read the new vendor yet).
            let (status, _) = app
                .admin(Method::POST, &format!("/api/admin/vendors/{id}/apikey"), None)
                .await;
            assert_eq!(status, StatusCode::OK);
        }))
        .await;
        done.store(true, Ordering::Release);
    };
    let (_, seen) = tokio::join!(writers, read_while_written(apps[1], &done));
    let stored = all_events(apps[2], 0, 1000).await;
    let seqs: Vec<i64> = seen.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(
        seen.len(),
        stored.len(),
        "the reader passed over events that committed late"
    );
    assert_eq!(seen, stored);
    assert_eq!(
        stored.len(),
        1 + 3 * PER_INSTANCE * 2,
        "the admin, then each vendor created and rotated"
    );
    // Each vendor's creation comes before its rotation in the one order.
    for i in 0..3 {
        for j in 0..PER_INSTANCE {
            let id = format!("i{i}v{j}");
            let of: Vec<&str> = stored
                .iter()
                .filter(|e| e["vendorId"] == json!(id))
                .map(|e| e["type"].as_str().unwrap())
                .collect();
            assert_eq!(of, ["vendor.created", "vendor.key_rotated"], "{id}");
        }
    }
}

#[tokio::test]
async fn an_event_that_commits_late_is_not_passed_over_by_a_reader() {
    let app = spawn_app().await;
    let url = app.config.database_url.clone().unwrap();
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    // A writer that has inserted its event and not yet committed (a slow instance).
    let slow = client.transaction().await.unwrap();
    slow.execute(
        "INSERT INTO events (type, at, vendor_id, incident_id, detail) VALUES ('vendor.created', 0, 'slow', NULL, '{}')",
        &[],
    )
    .await
    .unwrap();
    // Meanwhile another change commits, and a reader pages past it.
    app.create_vendor("fast").await;
    let seen = all_events(&app, 0, 1000).await;
    let after = seen.last().unwrap()["seq"].as_i64().unwrap();
    assert_eq!(seen.last().unwrap()["vendorId"], "fast");
    slow.commit().await.unwrap();
    // The late commit comes after what the reader has seen, not before it.
    let rest = all_events(&app, after, 1000).await;
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["vendorId"], "slow");
}
