//! Grades: the grade sheet scored against hand-computed values, what it leaves out, the reports
//! archive, and who may read them (exports in `grades_exports`, the page in `grades_console`).

use chrono::{DateTime, Duration, Utc};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app, spawn_with, t0};

/// Creates a vendor with a name of the test's choosing; returns its key.
pub async fn vendor_named(app: &TestApp, id: &str, name: &str) -> String {
    let (status, body) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": id, "name": name})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["apiKey"].as_str().unwrap().to_owned()
}

/// Starts `fail` chaos on `vendor` now (the manual clock's now); returns the incident id.
pub async fn start_chaos(app: &TestApp, vendor: &str) -> String {
    let incident = app.chaos(vendor, json!({"mode": "fail", "start": "now"})).await;
    incident["id"].as_str().unwrap().to_owned()
}

/// An instructor ends `vendor`'s chaos now.
pub async fn end_chaos(app: &TestApp, vendor: &str) {
    let (status, body) = app
        .admin(Method::DELETE, &format!("/api/admin/vendors/{vendor}/chaos"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The grade sheet of `query` as JSON rows.
pub async fn grades(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.admin(Method::GET, &format!("/api/admin/grades{query}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

fn at(t: DateTime<Utc>) -> String {
    pizza_factory::domain::instant::format(&t)
}

#[tokio::test]
async fn scores_follow_time_to_resolve_and_run_on_while_active() {
    let app = spawn_app().await;
    let key = app.create_vendor("a").await;
    for v in ["b", "c"] {
        app.create_vendor(v).await;
    }
    // a: two failed orders of 0.05 ₿, resolved through the report URL after 90 minutes.
    let a = start_chaos(&app, "a").await;
    app.advance(60);
    let (_, failed) = app.order_json(&key, &[0.05]).await;
    app.order_json(&key, &[0.05]).await;
    let b = start_chaos(&app, "b").await;
    app.advance(60);
    let c = start_chaos(&app, "c").await;
    app.clock.set(t0() + Duration::minutes(90));
    let res = app
        .client
        .get(failed["reportUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // b has been active 3 hours.
    app.clock.set(t0() + Duration::minutes(1) + Duration::hours(3));
    let rows = grades(&app, "?from=2026-12-01&to=2026-12-01").await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[0],
        json!({"vendorId": "a", "vendorName": "Vendor a", "incidentId": a, "mode": "fail",
            "startedAt": at(t0()), "resolvedAt": at(t0() + Duration::minutes(90)), "resolvedBy": "report",
            "secondsToResolve": 5400, "ordersFailed": 2, "lostRevenue": 0.1, "score": 92.5})
    );
    assert_eq!(
        rows[1],
        json!({"vendorId": "b", "vendorName": "Vendor b", "incidentId": b, "mode": "fail",
            "startedAt": at(t0() + Duration::minutes(1)), "resolvedAt": null, "resolvedBy": null,
            "secondsToResolve": null, "ordersFailed": 0, "lostRevenue": 0.0, "score": 85.0})
    );
    assert_eq!(rows[2]["incidentId"], json!(c));
    // 100 − 5 × (3 h − 1 min) = 85.083… → 85.1
    assert_eq!(rows[2]["score"], json!(85.1));
    // The figures are the incident's own.
    let incident = app.incident(&a).await;
    assert_eq!(rows[0]["startedAt"], incident["startedAt"]);
    assert_eq!(rows[0]["lostRevenue"], incident["stats"]["lostRevenue"]);
    // 30 hours on: c ended by an instructor and b still active are both at the floor.
    app.clock.set(t0() + Duration::minutes(2) + Duration::hours(30));
    end_chaos(&app, "c").await;
    let rows = grades(&app, "?from=2026-12-01&to=2026-12-01").await;
    assert_eq!(
        (rows[1]["score"].clone(), rows[1]["resolvedAt"].clone()),
        (json!(0.0), Value::Null)
    );
    assert_eq!(
        (
            rows[2]["score"].clone(),
            rows[2]["resolvedBy"].clone(),
            rows[2]["secondsToResolve"].clone()
        ),
        (json!(0.0), json!("admin"), json!(108_000))
    );
}

#[tokio::test]
async fn the_penalty_and_the_floor_come_from_the_configuration() {
    let app = spawn_with(|c| {
        c.grade_penalty_per_hour = 12.0;
        c.grade_floor = 40.0;
    })
    .await;
    for v in ["a", "b"] {
        app.create_vendor(v).await;
        start_chaos(&app, v).await;
    }
    // 100 − 12 × 4507/3600 = 84.976… → 85.0
    app.advance(4507);
    end_chaos(&app, "a").await;
    app.advance(10 * 3600);
    end_chaos(&app, "b").await;
    let rows = grades(&app, "").await;
    let scores: Vec<&Value> = rows.iter().map(|r| &r["score"]).collect();
    assert_eq!(scores, [&json!(85.0), &json!(40.0)]);
}

#[tokio::test]
async fn voided_drill_and_never_started_incidents_are_left_out_of_grades_and_reports() {
    let app = spawn_app().await;
    for v in ["real", "typo", "drill", "later", "called-off"] {
        app.create_vendor(v).await;
    }
    let real = start_chaos(&app, "real").await;
    let typo = start_chaos(&app, "typo").await;
    let drill = app
        .chaos("drill", json!({"mode": "fail", "start": "now", "drill": true}))
        .await;
    let later = app
        .chaos("later", json!({"mode": "fail", "start": at(t0() + Duration::days(3))}))
        .await;
    app.chaos(
        "called-off",
        json!({"mode": "fail", "start": at(t0() + Duration::hours(1))}),
    )
    .await;
    app.advance(600);
    for v in ["real", "typo", "drill", "called-off"] {
        end_chaos(&app, v).await;
    }
    let (status, _) = app
        .admin(
            Method::POST,
            &format!("/api/admin/incidents/{typo}/void"),
            Some(json!({"reason": "typo"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = grades(&app, "?from=2026-11-01&to=2026-12-31").await;
    let ids: Vec<&Value> = rows.iter().map(|r| &r["incidentId"]).collect();
    assert_eq!(ids, [&json!(real)]);

    let res = app
        .call(
            Method::GET,
            "/api/admin/reports?from=2026-11-01&to=2026-12-31",
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/markdown; charset=utf-8");
    let text = res.text().await.unwrap();
    assert!(
        text.starts_with("# Incident reports, 2026-11-01 to 2026-12-31\n"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "## Incident report: `fail` chaos on vendor `real`\n\nIncident `{real}`"
    )));
    assert!(text.contains("### Timeline"), "{text}");
    for left_out in [
        typo.as_str(),
        drill["id"].as_str().unwrap(),
        later["id"].as_str().unwrap(),
    ] {
        assert!(!text.contains(left_out), "{left_out} in {text}");
    }
    // The section is the incident's own report, not a re-wording of it.
    let own = app
        .call(
            Method::GET,
            &format!("/api/admin/incidents/{real}/report"),
            Some(ADMIN_KEY),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    let summary = own.lines().find(|l| l.starts_with("Chaos `fail` ran")).unwrap();
    assert!(text.contains(summary));
}

#[tokio::test]
async fn vendors_and_strangers_cannot_read_grades_or_reports() {
    let app = spawn_app().await;
    let key = app.create_vendor("a").await;
    for path in ["/api/admin/grades", "/api/admin/grades.csv", "/api/admin/reports"] {
        assert_eq!(
            app.call(Method::GET, path, None, None).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(
            app.call(Method::GET, path, Some(&key), None).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

#[test]
fn a_grade_rule_out_of_range_stops_the_factory_at_start() {
    for (var, value, why) in [
        ("FACTORY_GRADE_FLOOR", "150", "must be a score from 0 to 100"),
        ("FACTORY_GRADE_FLOOR", "NaN", "must be a score from 0 to 100"),
        (
            "FACTORY_GRADE_PENALTY_PER_HOUR",
            "-5",
            "must be a number of points per hour, 0 or more",
        ),
        (
            "FACTORY_GRADE_PENALTY_PER_HOUR",
            "inf",
            "must be a number of points per hour, 0 or more",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
            .env_clear()
            .env("FACTORY_DATA_DIR", dir.path())
            .env("FACTORY_PORT", "0")
            .env(var, value)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{var}={value} started: {text}");
        assert!(text.contains(why) && text.contains(value), "{var}={value}: {text}");
        assert!(!text.contains("listening on"), "{text}");
    }
}
