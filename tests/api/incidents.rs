//! Incidents: the record, stats, listing, vendor access and the Markdown report.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fix_code, kinds, spawn_app, spawn_with};

/// The incident of 2024-11-27: `fail` from 14:02:46 to 14:11:14 MST, eight orders of 0.05 ₿ lost.
pub async fn replay_real_incident(app: &TestApp) -> (String, Value) {
    let start: DateTime<Utc> = "2024-11-27T21:02:46Z".parse().unwrap();
    app.clock.set(start - Duration::hours(5));
    let key = app.create_vendor("jwt-pizza-service").await;
    let incident = app
        .chaos(
            "jwt-pizza-service",
            json!({"mode": "fail", "start": start.to_rfc3339()}),
        )
        .await;
    app.clock.set(start);
    let mut url = String::new();
    for minute in 0..8 {
        app.clock.set(start + Duration::seconds(30 + minute * 60));
        let (status, body) = app.order_json(&key, &[0.05]).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        url = body["reportUrl"].as_str().unwrap().to_owned();
    }
    app.clock.set(start + Duration::seconds(508));
    let res = app.client.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    let id = incident["id"].as_str().unwrap().to_owned();
    (key, app.incident(&id).await)
}

#[tokio::test]
async fn the_factory_tells_the_story_of_a_real_incident() {
    let app = spawn_app().await;
    let (_, incident) = replay_real_incident(&app).await;
    assert_eq!(incident["state"], "resolved");
    assert_eq!(incident["resolvedBy"], "report");
    assert_eq!(incident["startedAt"], "2024-11-27T21:02:46.000Z");
    assert_eq!(incident["resolvedAt"], "2024-11-27T21:11:14.000Z");
    assert_eq!(incident["firstFailureAt"], "2024-11-27T21:03:16.000Z");
    assert_eq!(
        incident["stats"],
        json!({"ordersAffected": 8, "ordersFailed": 8, "lostRevenue": 0.4, "ordersSucceeded": 0, "wrongFixCodes": 0, "secondsToResolve": 508})
    );
    assert_eq!(
        kinds(&incident),
        vec!["scheduled", "started", "first_failure", "resolved"]
    );
    for field in [
        "id",
        "vendorId",
        "mode",
        "params",
        "initiatedBy",
        "initiatedAt",
        "startAt",
    ] {
        assert!(!incident[field].is_null(), "{field}");
    }

    let res = app
        .call(
            Method::GET,
            &format!("/api/admin/incidents/{}/report", incident["id"].as_str().unwrap()),
            Some(crate::helpers::ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let report = res.text().await.unwrap();
    for needle in [
        "## Summary",
        "## Detection",
        "## Impact",
        "## Timeline",
        "## Root Cause",
        "## Resolution",
        "14:02:46 MST",
        "14:11:14 MST",
        "8 minutes 28 seconds",
        "0.4 ₿",
        "8 of 8",
        "(100%)",
        "500",
        "report URL",
        "admin:admin",
        "`fail`",
    ] {
        assert!(report.contains(needle), "report lacks {needle:?}:\n{report}");
    }
}

#[tokio::test]
async fn counters_survive_a_restart_and_count_successes_and_wrong_codes() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let incident = app
        .chaos("v", json!({"mode": "flaky", "start": "now", "params": {"everyNth": 2}}))
        .await;
    let mut url = String::new();
    for _ in 0..6 {
        let (_, body) = app.order_json(&key, &[0.25, 0.5]).await;
        url = body["reportUrl"].as_str().unwrap().to_owned();
    }
    app.client
        .get(url.replace(&fix_code(&url), "nope"))
        .send()
        .await
        .unwrap();
    let app = app.restart().await;
    let incident = app.incident(incident["id"].as_str().unwrap()).await;
    assert_eq!(incident["stats"]["ordersAffected"], 6);
    assert_eq!(incident["stats"]["ordersFailed"], 3);
    assert_eq!(incident["stats"]["ordersSucceeded"], 3);
    assert_eq!(incident["stats"]["lostRevenue"], 2.25);
    assert_eq!(incident["stats"]["wrongFixCodes"], 1);
    assert_eq!(incident["stats"]["secondsToResolve"], Value::Null);
}

#[tokio::test]
async fn incidents_are_listed_filtered_and_kept_after_their_vendor() {
    let app = spawn_app().await;
    for v in ["a", "b"] {
        app.create_vendor(v).await;
    }
    app.chaos("a", json!({"mode": "fail", "start": "now"})).await;
    app.advance(10);
    app.admin(Method::DELETE, "/api/admin/vendors/a/chaos", None).await;
    app.advance(10);
    app.chaos(
        "b",
        json!({"mode": "badjwt", "start": (app.clock_now() + Duration::hours(1)).to_rfc3339()}),
    )
    .await;
    app.advance(10);
    app.chaos("a", json!({"mode": "throttle", "start": "now"})).await;

    let (_, all) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    let modes: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, vec!["throttle", "badjwt", "fail"], "newest first");
    let (_, scheduled) = app
        .admin(Method::GET, "/api/admin/incidents?state=scheduled", None)
        .await;
    assert_eq!(scheduled.as_array().unwrap().len(), 1);
    let (_, of_a) = app
        .admin(Method::GET, "/api/admin/incidents?vendor=a&limit=1", None)
        .await;
    assert_eq!(of_a.as_array().unwrap().len(), 1);
    assert_eq!(of_a[0]["mode"], "throttle");
    for bad in ["state=broken", "limit=0", "limit=5000", "vendor=a%20b", "colour=red"] {
        let (status, _) = app
            .admin(Method::GET, &format!("/api/admin/incidents?{bad}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    for bad in ["nope", "00000000-0000-0000-0000-000000000000"] {
        assert_eq!(
            app.admin(Method::GET, &format!("/api/admin/incidents/{bad}"), None)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.admin(Method::GET, &format!("/api/admin/incidents/{bad}/report"), None)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }

    assert_eq!(
        app.admin(Method::DELETE, "/api/admin/vendors/a", None).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, of_a) = app.admin(Method::GET, "/api/admin/incidents?vendor=a", None).await;
    assert_eq!(of_a.as_array().unwrap().len(), 2, "incidents outlive their vendor");
    assert!(
        of_a.as_array().unwrap().iter().all(|i| i["state"] != "active"),
        "deleting a vendor ends its chaos"
    );
}

#[tokio::test]
async fn vendors_read_only_their_own_ended_incidents() {
    let app = spawn_app().await;
    let (key, incident) = replay_real_incident(&app).await;
    let other = app.create_vendor("other").await;
    app.chaos(
        "jwt-pizza-service",
        json!({"mode": "fail", "start": (app.clock_now() + Duration::hours(1)).to_rfc3339()}),
    )
    .await;
    let (status, own) = app.json(Method::GET, "/api/vendor/incidents", Some(&key), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own.as_array().unwrap().len(), 1, "the scheduled one stays hidden");
    assert_eq!(own[0]["id"], incident["id"]);
    let path = format!("/api/vendor/incidents/{}/report", incident["id"].as_str().unwrap());
    let res = app.call(Method::GET, &path, Some(&key), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("8 minutes 28 seconds"));
    assert_eq!(
        app.call(Method::GET, &path, Some(&other), None).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = app.json(Method::GET, "/api/vendor/incidents", Some(&other), None).await;
    assert_eq!(theirs, json!([]));

    let app = spawn_with(|c| c.vendor_incidents = false).await;
    let key = app.create_vendor("v").await;
    assert_eq!(
        app.json(Method::GET, "/api/vendor/incidents", Some(&key), None).await.0,
        StatusCode::NOT_FOUND
    );
}
