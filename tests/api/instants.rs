//! One form for every instant: RFC 3339 UTC with exactly milliseconds, in every JSON body, the
//! same before and after a restart.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// Every string in `body` that looks like an instant, with its JSON path.
fn instants(body: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match body {
        // `...Local` fields tell an instant in the configured zone, with its offset, by contract.
        Value::String(_) if path.ends_with("Local") => {}
        Value::String(s) if s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T' => {
            out.push((path.to_owned(), s.clone()));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                instants(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                instants(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn assert_millis(body: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    instants(body, "$", &mut found);
    for (path, s) in &found {
        let b = s.as_bytes();
        let shaped =
            s.len() == 24 && b[19] == b'.' && s.ends_with('Z') && s[20..23].bytes().all(|c| c.is_ascii_digit());
        assert!(shaped, "{path} = {s:?} is not RFC 3339 UTC with milliseconds");
    }
    found
}

#[tokio::test]
async fn every_instant_in_every_body_has_exactly_milliseconds_and_survives_a_restart() {
    let app = spawn_app().await;
    // An instant with nanoseconds, as a real clock gives them.
    app.clock.set(app.clock_now() + Duration::nanoseconds(348_931_879));
    let key = app.create_vendor("team7").await;
    let (status, created) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": "team8", "name": "Team 8"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let incident = app.chaos("team7", json!({"mode": "fail", "start": "now"})).await;
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = incident["id"].as_str().unwrap().to_owned();

    let (_, me) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;
    let (_, one) = app.admin(Method::GET, "/api/admin/vendors/team7", None).await;
    let read = app.incident(&id).await;
    let (_, list) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    let (_, ended) = app.admin(Method::DELETE, "/api/admin/vendors/team7/chaos", None).await;
    let (_, vendors) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    for body in [&created, &incident, &me, &vendors, &one, &read, &list, &ended] {
        assert_millis(body);
    }
    assert_eq!(created["created"], "2026-12-01T19:00:00.348Z");
    assert_eq!(me["chaos"]["startDate"], "2026-12-01T19:00:00.348Z");
    // Texts for people tell instants in the report's zone, not in RFC 3339.
    let scheduled = &read["timeline"][0]["detail"];
    assert_eq!(
        scheduled,
        "fail chaos scheduled by admin:admin to start at 2026-12-01 12:00:00 MST"
    );
    assert!(
        assert_millis(&ended).len() >= 6,
        "startAt, startedAt, resolvedAt, timeline: {ended}"
    );

    let before = assert_millis(&ended);
    let app = app.restart().await;
    let after = app.incident(&id).await;
    assert_eq!(assert_millis(&after), before, "the same figures after a restart");
    let (_, vendors_after) = app.admin(Method::GET, "/api/admin/vendors", None).await;
    assert_eq!(assert_millis(&vendors_after), assert_millis(&vendors));
}
