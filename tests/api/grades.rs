//! Grades: the grade sheet as JSON and CSV, scored against hand-computed values, its range of
//! days in the configured zone, the reports archive, and who may read them.

use chrono::{DateTime, Duration, Utc};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
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
async fn the_csv_parses_back_to_the_json_with_formula_names_kept_as_text() {
    let app = spawn_app().await;
    let names = ["=HYPERLINK(\"x\")", "+1", "-1", "@x", "Team, \"quoted\""];
    for (i, name) in names.iter().enumerate() {
        let id = format!("v{i}");
        let key = vendor_named(&app, &id, name).await;
        start_chaos(&app, &id).await;
        app.advance(37);
        app.order_json(&key, &[0.0038, 0.011]).await;
        if i % 2 == 0 {
            end_chaos(&app, &id).await;
        }
    }
    let json_rows = grades(&app, "?from=2026-12-01&to=2026-12-02").await;
    let res = app
        .call(
            Method::GET,
            "/api/admin/grades.csv?from=2026-12-01&to=2026-12-02",
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()[CONTENT_DISPOSITION],
        "attachment; filename=\"grades-2026-12-01-2026-12-02.csv\""
    );
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "vendorId",
            "vendorName",
            "incidentId",
            "mode",
            "startedAt",
            "resolvedAt",
            "resolvedBy",
            "secondsToResolve",
            "ordersFailed",
            "lostRevenue",
            "score"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), json_rows.len());
    assert_eq!(records.len(), names.len());
    for (record, row) in records.iter().zip(&json_rows) {
        for (column, cell) in header.iter().zip(record.iter()) {
            let expected = &row[column.as_str()];
            match expected {
                Value::Null => assert_eq!(cell, "", "{column}"),
                Value::Number(n) => assert_eq!(cell.parse::<f64>().unwrap(), n.as_f64().unwrap(), "{column}"),
                Value::String(s) if column == "vendorName" && s != "Team, \"quoted\"" => {
                    assert_eq!(cell, format!("'{s}"), "a formula stays text")
                }
                Value::String(s) => assert_eq!(cell, s, "{column}"),
                other => panic!("{column}: {other}"),
            }
        }
    }
    // 0.0038 + 0.011 lost by each vendor, as the incident says.
    assert_eq!(json_rows[0]["lostRevenue"], json!(0.0148));
}

#[tokio::test]
async fn days_are_those_of_the_configured_zone_and_bad_ranges_are_refused() {
    let app = spawn_app().await;
    for v in ["late", "early"] {
        app.create_vendor(v).await;
    }
    // 23:30 MST on 1 December is 06:30 UTC on the 2nd; 00:10 MST on the 2nd is 07:10 UTC.
    app.clock.set("2026-12-02T06:30:00Z".parse().unwrap());
    let late = start_chaos(&app, "late").await;
    app.clock.set("2026-12-02T07:10:00Z".parse().unwrap());
    let early = start_chaos(&app, "early").await;
    let ids = |rows: Vec<Value>| {
        rows.iter()
            .map(|r| r["incidentId"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(grades(&app, "?from=2026-11-25&to=2026-12-01").await),
        std::slice::from_ref(&late)
    );
    assert_eq!(
        ids(grades(&app, "?from=2026-12-02&to=2026-12-02").await),
        std::slice::from_ref(&early)
    );
    assert_eq!(ids(grades(&app, "?to=2026-12-02").await), [late, early]);
    assert!(grades(&app, "?from=2026-12-03").await.is_empty());

    for (query, message) in [
        ("from=2026-13-01", "from must be a date as YYYY-MM-DD"),
        ("from=2026-12-01&to=1%2F12%2F2026", "to must be a date as YYYY-MM-DD"),
        (
            "from=2026-12-02&to=2026-12-01",
            "from 2026-12-02 is after to 2026-12-01",
        ),
        (
            "from=2025-12-01&to=2026-12-02",
            "from 2025-12-01 to 2026-12-02 spans 367 days; at most 366",
        ),
    ] {
        for path in ["/api/admin/grades", "/api/admin/grades.csv", "/api/admin/reports"] {
            let (status, body) = app.admin(Method::GET, &format!("{path}?{query}"), None).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_eq!(body, json!({ "message": message }), "{path}?{query}");
        }
    }
    let (status, body) = app.admin(Method::GET, "/api/admin/grades?day=2026-12-01", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("day"), "{body}");
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
