//! Grade exports: the CSV read back against the JSON, formula cells kept as text, and the range
//! of days in the configured zone with its refusals.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::grades::{end_chaos, grades, start_chaos, vendor_named};
use crate::helpers::{ADMIN_KEY, spawn_app};

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

/// More incidents than the store is asked for at once (200): every one is on the sheet, once.
#[tokio::test]
async fn a_sheet_longer_than_a_store_page_has_every_incident_once() {
    let app = spawn_app().await;
    app.create_vendor("busy").await;
    let mut started = Vec::new();
    for _ in 0..203 {
        started.push(start_chaos(&app, "busy").await);
        app.advance(60);
        end_chaos(&app, "busy").await;
    }
    let rows = grades(&app, "?from=2026-12-01&to=2026-12-02").await;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r["incidentId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, started);
    assert!(rows.iter().all(|r| r["score"] == json!(99.9)), "1 minute each");
}
