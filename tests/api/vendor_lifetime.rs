//! A vendor's incidents belong to its lifetime: deleting it ends its chaos in the same store
//! transaction, and a vendor created later under the same id starts fresh (issue 10, item 6).

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fix_code, spawn_app};

/// Fails one order of `vendor` under `fail` chaos and resolves it through its report URL.
async fn ended_incident(app: &TestApp, vendor: &str, key: &str) -> String {
    let incident = app.chaos(vendor, json!({"mode": "fail", "start": "now"})).await;
    let (status, failed) = app.order_json(key, &[1.0]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let url = failed["reportUrl"].as_str().unwrap();
    let path = format!("/api/support/{vendor}/report/{}", fix_code(url));
    assert_eq!(app.call(Method::GET, &path, None, None).await.status(), StatusCode::OK);
    incident["id"].as_str().unwrap().to_owned()
}

async fn delete(app: &TestApp, vendor: &str) {
    let (status, body) = app
        .admin(Method::DELETE, &format!("/api/admin/vendors/{vendor}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_vendor_created_again_under_a_deleted_id_starts_fresh() {
    let app = spawn_app().await;
    let old_key = app.create_vendor("team9").await;
    let ended = ended_incident(&app, "team9", &old_key).await;
    let active = app.chaos("team9", json!({"mode": "fail", "start": "now"})).await;
    let active = active["id"].as_str().unwrap();
    let (own, _) = app
        .json(Method::GET, "/api/vendor/incidents", Some(&old_key), None)
        .await;
    assert_eq!(own, StatusCode::OK);

    delete(&app, "team9").await;
    let incident = app.incident(active).await;
    assert_eq!(
        (incident["state"].clone(), incident["resolvedBy"].clone()),
        (json!("resolved"), json!("admin")),
        "the store ends the chaos with the vendor: {incident}"
    );

    let key = app.create_vendor("team9").await;
    let (status, body) = app.order_json(&key, &[1.0]).await;
    assert_eq!(status, StatusCode::OK, "the new team9 inherits no chaos: {body}");
    let (status, own) = app.json(Method::GET, "/api/vendor/incidents", Some(&key), None).await;
    assert_eq!(
        (status, own),
        (StatusCode::OK, json!([])),
        "nor the old team9's history"
    );
    let report = format!("/api/vendor/incidents/{ended}/report");
    assert_eq!(
        app.call(Method::GET, &report, Some(&key), None).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, all) = app.admin(Method::GET, "/api/admin/incidents?vendor=team9", None).await;
    assert_eq!(
        ids(&all),
        vec![active, ended.as_str()],
        "admins still see every incident"
    );

    // The new vendor's own incidents are its own.
    let mine = ended_incident(&app, "team9", &key).await;
    let (_, own) = app.json(Method::GET, "/api/vendor/incidents", Some(&key), None).await;
    assert_eq!(ids(&own), vec![mine.as_str()]);
}

#[tokio::test]
async fn deleting_a_vendor_cancels_its_scheduled_chaos_and_ends_one_that_is_due() {
    let app = spawn_app().await;
    app.create_vendor("later").await;
    app.create_vendor("due").await;
    let start = (app.clock_now() + Duration::hours(1)).to_rfc3339();
    let later = app.chaos("later", json!({"mode": "fail", "start": start})).await;
    let start = (app.clock_now() + Duration::seconds(30)).to_rfc3339();
    let due = app.chaos("due", json!({"mode": "fail", "start": start})).await;
    // The start of `due` has come, but no tick has recorded it yet.
    app.advance(60);
    delete(&app, "later").await;
    delete(&app, "due").await;
    let later = app.incident(later["id"].as_str().unwrap()).await;
    assert_eq!(later["state"], "cancelled", "{later}");
    let due = app.incident(due["id"].as_str().unwrap()).await;
    assert_eq!(
        (due["state"].clone(), due["resolvedBy"].clone()),
        (json!("resolved"), json!("admin")),
        "{due}"
    );
    let start: chrono::DateTime<chrono::Utc> = start.parse().unwrap();
    assert_eq!(due["startedAt"], json!(pizza_factory::domain::instant::format(&start)));
    let key = app.create_vendor("later").await;
    app.advance(7200);
    app.tick().await;
    assert_eq!(app.order_json(&key, &[1.0]).await.0, StatusCode::OK);
}
