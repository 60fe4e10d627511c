//! Orders per minute of an incident (`minutes`): served, failed and failed by status, exact per
//! minute, in the record and the list, across flushes and restarts.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::backend::run_sql;
use crate::helpers::{TestApp, spawn_app, t0};

/// Schedules `mode` for `vendor` now and returns the incident id.
async fn chaos_now(app: &TestApp, vendor: &str, mode: &str, params: Value) -> String {
    let incident = app
        .chaos(vendor, json!({"mode": mode, "start": "now", "params": params}))
        .await;
    incident["id"].as_str().unwrap().to_owned()
}

/// Sends `n` orders at `at` and checks each is answered `status`.
async fn orders_at(app: &TestApp, key: &str, at: DateTime<Utc>, n: usize, status: StatusCode) {
    app.clock.set(at);
    for _ in 0..n {
        assert_eq!(app.order(key).await.status(), status);
    }
}

fn minute(at: &str, served: u64, failed: u64, by_status: Value) -> Value {
    json!({"at": at, "served": served, "failed": failed, "byStatus": by_status})
}

#[tokio::test]
async fn orders_are_counted_per_minute_served_and_failed_by_status() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    // Every second order fails with 500, the others are served: both within one minute.
    let id = chaos_now(&app, "v", "flaky", json!({"everyNth": 2})).await;
    let s = t0();
    orders_at(&app, &key, s + Duration::seconds(10), 1, StatusCode::OK).await;
    orders_at(
        &app,
        &key,
        s + Duration::seconds(11),
        1,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    orders_at(&app, &key, s + Duration::seconds(59), 1, StatusCode::OK).await;
    // A read flushes in the middle of a minute; what follows in it adds to the stored row.
    assert_eq!(
        app.incident(&id).await["minutes"],
        json!([minute("2026-12-01T19:00:00.000Z", 2, 1, json!({"500": 1}))])
    );
    orders_at(
        &app,
        &key,
        s + Duration::milliseconds(59_999),
        1,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    orders_at(&app, &key, s + Duration::seconds(60), 1, StatusCode::OK).await;
    orders_at(
        &app,
        &key,
        s + Duration::seconds(119),
        1,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    // No order in 19:02; two in 19:03.
    orders_at(&app, &key, s + Duration::seconds(185), 1, StatusCode::OK).await;
    orders_at(
        &app,
        &key,
        s + Duration::seconds(186),
        1,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    let expected = json!([
        minute("2026-12-01T19:00:00.000Z", 2, 2, json!({"500": 2})),
        minute("2026-12-01T19:01:00.000Z", 1, 1, json!({"500": 1})),
        minute("2026-12-01T19:03:00.000Z", 1, 1, json!({"500": 1})),
    ]);
    let incident = app.incident(&id).await;
    assert_eq!(incident["minutes"], expected, "{incident}");
    assert_eq!(incident["stats"]["ordersSucceeded"], 4);
    assert_eq!(incident["stats"]["ordersFailed"], 4);
    // The list carries the same minutes.
    let (status, list) = app.admin(Method::GET, "/api/admin/incidents?vendor=v", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["minutes"], expected);
}

#[tokio::test]
async fn each_chaos_counts_its_failures_under_the_status_it_answered() {
    let app = spawn_app().await;
    let s = t0();
    let mut incidents = Vec::new();
    for (vendor, mode, status, code) in [
        ("f", "fail", StatusCode::INTERNAL_SERVER_ERROR, "500"),
        ("o", "overload", StatusCode::SERVICE_UNAVAILABLE, "503"),
        // A bad ticket is answered 200: it fails when the ticket is checked.
        ("b", "badjwt", StatusCode::OK, "200"),
        ("e", "expiredjwt", StatusCode::OK, "200"),
    ] {
        app.clock.set(s);
        let key = app.create_vendor(vendor).await;
        let id = chaos_now(&app, vendor, mode, json!({})).await;
        orders_at(&app, &key, s + Duration::seconds(30), 3, status).await;
        orders_at(&app, &key, s + Duration::seconds(90), 1, status).await;
        orders_at(&app, &key, s + Duration::seconds(150), 2, status).await;
        incidents.push((id, code));
    }
    for (id, code) in incidents {
        let incident = app.incident(&id).await;
        assert_eq!(
            incident["minutes"],
            json!([
                minute("2026-12-01T19:00:00.000Z", 0, 3, json!({code: 3})),
                minute("2026-12-01T19:01:00.000Z", 0, 1, json!({code: 1})),
                minute("2026-12-01T19:02:00.000Z", 0, 2, json!({code: 2})),
            ]),
            "{incident}"
        );
    }
}

#[tokio::test]
async fn minute_counts_survive_a_restart_and_keep_adding_up() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let id = chaos_now(&app, "v", "fail", json!({})).await;
    let s = t0();
    orders_at(
        &app,
        &key,
        s + Duration::seconds(20),
        2,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    // Never read before the restart: the shutdown flush writes them.
    let app = app.restart().await;
    let at = "2026-12-01T19:00:00.000Z";
    assert_eq!(
        app.incident(&id).await["minutes"],
        json!([minute(at, 0, 2, json!({"500": 2}))])
    );
    orders_at(
        &app,
        &key,
        s + Duration::seconds(40),
        1,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
    let app = app.restart().await;
    assert_eq!(
        app.incident(&id).await["minutes"],
        json!([minute(at, 0, 3, json!({"500": 3}))])
    );
}

#[tokio::test]
async fn an_incident_without_orders_has_no_minutes() {
    let app = spawn_app().await;
    app.create_vendor("v").await;
    let incident = app
        .chaos("v", json!({"mode": "fail", "start": "2026-12-02T19:00:00Z"}))
        .await;
    assert_eq!(incident["minutes"], json!([]));
    let id = incident["id"].as_str().unwrap();
    assert_eq!(app.incident(id).await["minutes"], json!([]));
}

/// Makes the store refuse every minute count of one incident, as a corrupt row would.
async fn poison_minutes(app: &TestApp, incident: &str) {
    run_sql(
        &app.config,
        &format!(
            "CREATE TRIGGER poison BEFORE INSERT ON incident_minutes WHEN NEW.incident_id = '{incident}' \
             BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END;"
        ),
        &format!("ALTER TABLE incident_minutes ADD CONSTRAINT poison CHECK (incident_id <> '{incident}')"),
    )
    .await;
}

#[tokio::test]
async fn minutes_the_store_refuses_for_one_incident_never_hold_back_another() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for vendor in ["bad", "good"] {
        let key = app.create_vendor(vendor).await;
        ids.push(chaos_now(&app, vendor, "fail", json!({})).await);
        orders_at(
            &app,
            &key,
            t0() + Duration::seconds(5),
            1,
            StatusCode::INTERNAL_SERVER_ERROR,
        )
        .await;
    }
    poison_minutes(&app, &ids[0]).await;
    app.tick().await;
    let good = app.incident(&ids[1]).await;
    let at = "2026-12-01T19:00:00.000Z";
    assert_eq!(good["minutes"], json!([minute(at, 0, 1, json!({"500": 1}))]), "{good}");
    // The refused delta is set aside whole, so the record stays consistent with itself.
    let bad = app.incident(&ids[0]).await;
    assert_eq!(
        (bad["minutes"].clone(), bad["stats"]["ordersFailed"].clone()),
        (json!([]), json!(0))
    );
}
