//! Term plans through HTTP: apply with firstDate, spanDays, days, exclude and window; a dry run
//! previews exactly what an apply with the same seed stores, and stores nothing itself.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_with};

const APPLY: &str = "/api/admin/scenarios/semester-campaign/apply";

/// A factory with the semester campaign (weekdays 09:00-15:00 Denver, 105 days) and an offset
/// scenario, and `class` vendors team001, team002, ... imported in one call.
async fn class_of(class: usize) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "scenarios/semester-campaign.toml",
        dir.path().join("semester-campaign.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("soon.toml"),
        "[chaos]\nmode = \"fail\"\nstart = \"+2m\"\n",
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    let app = spawn_with(move |c| c.scenario_dir = path).await;
    let roster: Vec<Value> = (1..=class)
        .map(|i| json!({"id": format!("team{i:03}"), "name": format!("Team {i}")}))
        .collect();
    let (status, imported) = app
        .admin(Method::POST, "/api/admin/vendors/import", Some(json!(roster)))
        .await;
    assert_eq!(status, StatusCode::OK, "{imported}");
    assert_eq!(imported["created"].as_array().unwrap().len(), class);
    (app, dir)
}

/// (vendorId, mode, startAt) of a plan's entries or an apply's incidents.
fn schedule(entries: &Value) -> Vec<(String, String, String)> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["vendorId"].as_str().unwrap().to_owned(),
                e["mode"].as_str().unwrap().to_owned(),
                e["startAt"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn incident_count(app: &TestApp) -> usize {
    let (status, list) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    assert_eq!(status, StatusCode::OK);
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn a_dry_run_stores_nothing_and_is_exactly_what_the_same_seed_applies() {
    let (app, _dir) = class_of(40).await;
    let term = json!({"vendors": "all", "firstDate": "2026-12-07", "spanDays": 28,
                      "exclude": ["2026-12-21..2026-12-25"], "seed": 4242, "dryRun": true});
    let (status, preview) = app.admin(Method::POST, APPLY, Some(term.clone())).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["seed"], 4242);
    assert_eq!(incident_count(&app).await, 0, "a dry run stores nothing");
    let (_, vendor) = app.admin(Method::GET, "/api/admin/vendors/team001", None).await;
    assert_eq!(vendor["chaos"], Value::Null);

    let entry = &preview["plan"][0];
    let start: DateTime<Utc> = entry["startAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        entry["startAt"].as_str().unwrap(),
        start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    );
    let local = DateTime::parse_from_rfc3339(entry["startAtLocal"].as_str().unwrap()).unwrap();
    assert_eq!(local, start, "startAtLocal is the same instant");
    assert_eq!(local.offset().local_minus_utc(), -7 * 3600, "read in Denver (MST)");

    // The same inputs again: the same plan; another seed: another plan.
    let (_, again) = app.admin(Method::POST, APPLY, Some(term.clone())).await;
    assert_eq!(again["plan"], preview["plan"]);
    let mut other = term.clone();
    other["seed"] = json!(4243);
    let (_, other) = app.admin(Method::POST, APPLY, Some(other)).await;
    assert_ne!(schedule(&other["plan"]), schedule(&preview["plan"]));

    // One vendor gets chaos meanwhile: it is skipped and nobody else's draw moves.
    app.chaos("team007", json!({"mode": "overload", "start": "now"})).await;
    let mut apply = term.clone();
    apply["dryRun"] = json!(false);
    let (status, applied) = app.admin(Method::POST, APPLY, Some(apply)).await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(applied["seed"], 4242);
    let expected: Vec<_> = schedule(&preview["plan"])
        .into_iter()
        .filter(|(id, _, _)| id != "team007")
        .collect();
    assert_eq!(schedule(&applied["incidents"]), expected, "applied as previewed");
    assert_eq!(applied["skipped"][0]["vendorId"], "team007");
    for (planned, stored) in preview["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["vendorId"] != "team007")
        .zip(applied["incidents"].as_array().unwrap())
    {
        assert_eq!(planned["params"], stored["params"], "flaky seeds and defaults too");
        assert_eq!(planned["maxDurationSecs"], stored["maxDurationSecs"]);
    }
}

#[tokio::test]
async fn a_dry_run_without_a_seed_answers_one_that_replays_it() {
    let (app, _dir) = class_of(5).await;
    let (status, first) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/soon/apply",
            Some(json!({"vendors": "all", "firstDate": "2026-12-03", "dryRun": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let seed = first["seed"].as_u64().unwrap();
    assert!(seed < 1 << 53, "a seed a browser can hold");
    // An offset scenario given a term takes the factory's window (08:00-14:00 Denver).
    for p in first["plan"].as_array().unwrap() {
        let local = DateTime::parse_from_rfc3339(p["startAtLocal"].as_str().unwrap()).unwrap();
        assert_eq!(local.date_naive().to_string(), "2026-12-03");
        assert!((8..14).contains(&local.hour()), "{local}");
    }
    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/soon/apply",
            Some(json!({"vendors": "all", "firstDate": "2026-12-03", "seed": seed})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(schedule(&applied["incidents"]), schedule(&first["plan"]));
}

#[tokio::test]
async fn a_term_over_300_vendors_keeps_its_days_exclusions_window_and_span() {
    let (app, _dir) = class_of(300).await;
    let (status, applied) = app
        .admin(
            Method::POST,
            APPLY,
            Some(json!({"vendors": "all", "firstDate": "2026-12-14", "spanDays": 35,
                        "days": ["mon", "Wednesday", "FRI"],
                        "exclude": ["2026-12-21..2026-12-25", "2027-01-01", "2027-01-04"],
                        "window": {"from": "10:00", "to": "12:00", "tz": "America/New_York"},
                        "seed": 9})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let incidents = applied["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 300);
    let first = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
    let last = NaiveDate::from_ymd_opt(2027, 1, 17).unwrap();
    let excluded = |d: NaiveDate| {
        (NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()..=NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()).contains(&d)
            || d == NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            || d == NaiveDate::from_ymd_opt(2027, 1, 4).unwrap()
    };
    let mut vendors = BTreeSet::new();
    let mut days = BTreeSet::new();
    for i in incidents {
        assert!(
            vendors.insert(i["vendorId"].as_str().unwrap().to_owned()),
            "one per vendor"
        );
        let start: DateTime<Utc> = i["startAt"].as_str().unwrap().parse().unwrap();
        let local = start.with_timezone(&chrono_tz::America::New_York);
        let date = local.date_naive();
        assert!((first..=last).contains(&date), "{local} outside the span");
        assert!(
            matches!(local.weekday(), Weekday::Mon | Weekday::Wed | Weekday::Fri),
            "{local} on a closed weekday"
        );
        assert!(!excluded(date), "{local} on an excluded date");
        assert!((10..12).contains(&local.hour()), "{local} outside the window");
        days.insert(date);
    }
    // Mon/Wed/Fri over five weeks is 15 days, less the 5 excluded (Dec 21, 23, 25, Jan 1, 4).
    assert_eq!(days.len(), 10, "spread over every open day: {days:?}");
}

#[tokio::test]
async fn bad_terms_are_refused_naming_the_field_and_store_nothing() {
    let (app, _dir) = class_of(2).await;
    let cases = [
        (json!({"firstDate": "2026-13-01"}), "firstDate"),
        (
            json!({"firstDate": "2026-11-30"}),
            "firstDate 2026-11-30 is in the past",
        ),
        (json!({"spanDays": 0}), "spanDays"),
        (json!({"spanDays": 367}), "spanDays"),
        (json!({"days": []}), "days must name at least one day"),
        (json!({"days": ["mon", "funday"]}), "days: \"funday\""),
        (json!({"exclude": ["2026-12-08..2026-12-01"]}), "exclude[0]"),
        (json!({"exclude": ["2026-12-08", "next week"]}), "exclude[1]"),
        (json!({"window": {"from": "8am", "to": "14:00"}}), "window.from"),
        (
            json!({"window": {"from": "08:00", "to": "14:00", "tz": "Mars/Base"}}),
            "window.tz",
        ),
        (json!({"window": {"from": "08:00"}}), "to"),
        (json!({"seed": 9_007_199_254_740_992u64}), "seed"),
        (json!({"seed": -1}), "seed"),
        (
            json!({"firstDate": "2026-12-07", "spanDays": 5, "exclude": ["2026-12-07..2026-12-11"]}),
            "leave no open day",
        ),
        (
            json!({"firstDate": "2026-12-07", "spanDays": 5, "days": ["sat", "sun"]}),
            "leave no open day",
        ),
        (json!({"dryRun": "yes"}), "dryRun"),
    ];
    for (mut body, names) in cases {
        body["vendors"] = json!("all");
        for dry_run in [true, false] {
            if body["dryRun"].is_boolean() || body.get("dryRun").is_none() {
                body["dryRun"] = json!(dry_run);
            }
            let (status, answer) = app.admin(Method::POST, APPLY, Some(body.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
            let message = answer["message"].as_str().unwrap();
            assert!(message.contains(names), "{body}: {message}");
        }
    }
    assert_eq!(incident_count(&app).await, 0, "nothing was scheduled");
}

#[tokio::test]
async fn the_openapi_document_gives_the_term_fields_with_their_bounds() {
    let (app, _dir) = class_of(0).await;
    let (status, doc) = app.json(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let body = &doc["components"]["schemas"]["ApplyBody"]["properties"];
    assert_eq!(body["spanDays"]["minimum"], 1);
    assert_eq!(body["spanDays"]["maximum"], 366);
    assert_eq!(body["seed"]["maximum"], 9_007_199_254_740_991u64);
    assert_eq!(body["days"]["minItems"], 1);
    assert!(body["exclude"]["items"]["pattern"].as_str().unwrap().contains(r"\.\."));
    assert_eq!(body["dryRun"]["type"], "boolean");
    let window = &doc["components"]["schemas"]["TermWindow"]["properties"];
    assert!(window["from"]["pattern"].is_string() && window["tz"].is_object());
}
