//! The order path stays in memory: a burst of orders makes no store call of its own.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

/// Store calls the background tasks may make per tick (refresh, flush, the event poller, the
/// webhook worker's claim and its count once a second), and the slack for a tick in progress when
/// the burst starts or ends.
const CALLS_PER_TICK: u64 = 7;

#[tokio::test]
async fn a_burst_of_orders_makes_no_store_calls() {
    let app = spawn_app().await;
    let calm = app.create_vendor("calm").await;
    let stormy = app.create_vendor("stormy").await;
    let waiting = app.create_vendor("waiting").await;
    app.chaos("stormy", json!({"mode": "fail", "start": "now"})).await;
    app.chaos("waiting", json!({"mode": "fail", "start": "2030-01-01T00:00:00Z"}))
        .await;
    let orders = 150;
    let before = app.factory.store.calls();
    let started = Instant::now();
    for _ in 0..orders {
        assert_eq!(app.order(&calm).await.status(), StatusCode::OK);
        assert_eq!(app.order(&waiting).await.status(), StatusCode::OK);
        assert_eq!(app.order(&stormy).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    let calls = app.factory.store.calls() - before;
    // Only the scheduler and the webhook worker, ticking every 250 ms on their own, may have used
    // the store meanwhile.
    let ticks = started.elapsed().as_millis() as u64 / 250 + 2;
    assert!(
        calls <= ticks * CALLS_PER_TICK,
        "{calls} store calls during {} orders ({ticks} scheduler ticks)",
        orders * 3
    );
}
