//! Money: prices are bounded, sums of satoshi saturate instead of wrapping, and one incident's
//! counters can never hold back another's (issue 10, item 4).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backend::run_sql;
use crate::helpers::{TestApp, spawn_app};

async fn failing_vendor(app: &TestApp, id: &str) -> (String, String) {
    let key = app.create_vendor(id).await;
    let incident = app.chaos(id, json!({"mode": "fail", "start": "now"})).await;
    (key, incident["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn prices_above_all_the_bitcoin_there_is_are_refused() {
    let app = spawn_app().await;
    let (key, incident) = failing_vendor(&app, "v").await;
    let (status, _) = app.order_json(&key, &[0.05]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "the chaos bites");
    for _ in 0..2 {
        let (status, body) = app.order_json(&key, &[1.8e11]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            body,
            json!({"message": "order.items[0].price must be at most 21000000 (₿, all the bitcoin there will ever be)"})
        );
    }
    let (status, _) = app.order_json(&key, &[21_000_000.0]).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the maximum itself is a price"
    );
    let stats = app.incident(&incident).await["stats"].clone();
    assert_eq!(stats["ordersFailed"], 2, "{stats}");
    assert_eq!(stats["lostRevenue"], json!(21_000_000.05));
}

#[tokio::test]
async fn max_priced_orders_saturate_and_other_vendors_are_still_counted() {
    let app = spawn_app().await;
    let (rich, rich_incident) = failing_vendor(&app, "rich").await;
    let (poor, poor_incident) = failing_vendor(&app, "poor").await;
    // 250 orders of 20 items at 21,000,000 ₿ are 1.05e19 satoshi: past the largest BIGINT.
    let most = [21_000_000.0; 20];
    for _ in 0..250 {
        let (status, _) = app.order_json(&rich, &most).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let (status, _) = app.order_json(&poor, &[0.05]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    app.tick().await;
    let rich = app.incident(&rich_incident).await["stats"].clone();
    assert_eq!(rich["ordersFailed"], 250, "{rich}");
    assert_eq!(
        rich["lostRevenue"],
        json!(i64::MAX as f64 / 1e8),
        "saturated, not wrapped"
    );
    let poor = app.incident(&poor_incident).await["stats"].clone();
    assert_eq!(
        (poor["ordersFailed"].clone(), poor["lostRevenue"].clone()),
        (json!(1), json!(0.05))
    );
}

/// Makes the store refuse every counter update of one incident, as a corrupt row would.
async fn poison_counters(app: &TestApp, incident: &str) {
    run_sql(
        &app.config,
        &format!(
            "CREATE TRIGGER poison BEFORE UPDATE OF orders_failed ON incidents WHEN NEW.id = '{incident}' \
             BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END;"
        ),
        &format!("ALTER TABLE incidents ADD CONSTRAINT poison CHECK (id <> '{incident}' OR orders_failed = 0)"),
    )
    .await;
}

#[tokio::test]
async fn a_delta_the_store_refuses_never_holds_back_another_incidents() {
    let app = spawn_app().await;
    let (bad, bad_incident) = failing_vendor(&app, "bad").await;
    let (good, good_incident) = failing_vendor(&app, "good").await;
    poison_counters(&app, &bad_incident).await;
    for key in [&bad, &good] {
        let (status, _) = app.order_json(key, &[1.0]).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    app.tick().await;
    let counted = app.incident(&good_incident).await;
    assert_eq!(counted["stats"]["ordersFailed"], 1, "{counted}");
    assert_eq!(counted["stats"]["lostRevenue"], json!(1.0));
    let (status, bad): (StatusCode, Value) = app
        .admin(Method::GET, &format!("/api/admin/incidents/{bad_incident}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bad["stats"]["ordersFailed"], 0, "set aside: {bad}");
    // Later counts of the healthy incident keep flowing.
    let (status, _) = app.order_json(&good, &[1.0]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    app.tick().await;
    assert_eq!(app.incident(&good_incident).await["stats"]["ordersFailed"], 2);
}
