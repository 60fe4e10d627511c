//! Campaigns through HTTP: the loaded library, and a scenario applied to a class.

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, spawn_with};

/// A factory whose scenario directory holds the semester campaign, an offset drill and a broken file.
async fn app_with_scenarios() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "scenarios/semester-campaign.toml",
        dir.path().join("semester-campaign.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("soon.toml"),
        "# Fails two minutes after it is applied.\n[chaos]\nmode = \"fail\"\nstart = \"+2m\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.toml"), "[chaos]\nmode = \"explode\"\n").unwrap();
    let path = dir.path().to_path_buf();
    let app = spawn_with(move |c| c.scenario_dir = path).await;
    (app, dir)
}

#[tokio::test]
async fn scenarios_are_listed_and_applied_to_a_class_each_vendor_with_its_own_draw() {
    let (app, _dir) = app_with_scenarios().await;
    let (status, list) = app.admin(Method::GET, "/api/admin/scenarios", None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["semester-campaign", "soon"], "the broken file is left out");
    assert_eq!(list[0]["modes"][0], json!({"mode": "fail", "weight": 2}));
    assert!(list[0]["teaches"].as_str().unwrap().contains("on call"));

    let class: Vec<String> = (1..=20).map(|i| format!("team{i:02}")).collect();
    for id in &class {
        app.create_vendor(id).await;
    }
    let held = app.chaos("team05", json!({"mode": "overload", "start": "now"})).await;
    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/semester-campaign/apply",
            Some(json!({ "vendors": class })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(
        applied["skipped"],
        json!([{"vendorId": "team05", "reason": format!("already has chaos pending (incident {})", held["id"].as_str().unwrap())}])
    );
    let incidents = applied["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 19);
    let mut days = std::collections::BTreeSet::new();
    let mut modes = std::collections::BTreeSet::new();
    for i in incidents {
        assert_eq!(i["state"], "scheduled");
        assert_eq!(i["maxDurationSecs"], 14_400);
        let start: DateTime<Utc> = i["startAt"].as_str().unwrap().parse().unwrap();
        let local = start.with_timezone(&chrono_tz::America::Denver);
        assert!(!matches!(local.weekday(), Weekday::Sat | Weekday::Sun), "{local}");
        assert!((9..15).contains(&local.hour()), "{local}");
        assert!(start > app.clock_now() && start < app.clock_now() + chrono::Duration::days(107));
        days.insert(local.date_naive());
        modes.insert(i["mode"].as_str().unwrap().to_owned());
    }
    assert!(days.len() >= 12, "spread over the term, not one day: {days:?}");
    assert!(
        modes
            .iter()
            .all(|m| ["fail", "throttle", "badjwt"].contains(&m.as_str()))
    );
    assert!(modes.len() >= 2, "{modes:?}");
    let (_, team05) = app.admin(Method::GET, "/api/admin/vendors/team05", None).await;
    assert_eq!(
        team05["chaos"]["incidentId"], held["id"],
        "pending chaos is not overwritten"
    );

    // Everyone has chaos pending now: "all" skips them all, and never picks the admin.
    let (status, again) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/semester-campaign/apply",
            Some(json!({"vendors": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["incidents"], json!([]));
    assert_eq!(again["skipped"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn an_applied_scenario_bites_and_bad_requests_change_nothing() {
    let (app, _dir) = app_with_scenarios().await;
    let key = app.create_vendor("v").await;
    for (path, body, want) in [
        (
            "/api/admin/scenarios/nope/apply",
            json!({"vendors": ["v"]}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/admin/scenarios/broken/apply",
            json!({"vendors": ["v"]}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/admin/scenarios/soon/apply",
            json!({"vendors": ["v", "ghost"]}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/admin/scenarios/soon/apply",
            json!({"vendors": []}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/admin/scenarios/soon/apply",
            json!({"vendors": "some"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/admin/scenarios/soon/apply",
            json!({"vendors": [7]}),
            StatusCode::BAD_REQUEST,
        ),
        ("/api/admin/scenarios/soon/apply", json!({}), StatusCode::BAD_REQUEST),
        (
            "/api/admin/scenarios/soon/apply",
            json!({"vendors": "all", "x": 1}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, msg) = app.admin(Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, want, "{path} {body}: {msg}");
        assert!(msg["message"].is_string());
    }
    let (_, incidents) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    assert_eq!(incidents, json!([]), "nothing was scheduled");

    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/soon/apply",
            Some(json!({"vendors": ["v"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert!(
        applied["incidents"][0]["initiatedBy"]
            .as_str()
            .unwrap()
            .contains("scenario soon")
    );
    assert_eq!(
        app.order(&key).await.status(),
        StatusCode::OK,
        "unannounced until it starts"
    );
    app.advance(120);
    app.tick().await;
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
