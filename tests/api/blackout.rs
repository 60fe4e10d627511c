//! Blackout dates through HTTP: campaigns and windows draw around them, explicit starts on one
//! are refused naming it, a vendor's own request moves to the next open day, scenario files
//! carry their own, and a bad `FACTORY_BLACKOUT` stops the start.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_with};

const WINTER: &str = "2026-12-21..2027-01-04,2027-03-16";

fn ranges(raw: &str) -> Vec<pizza_factory::domain::blackout::DateRange> {
    pizza_factory::domain::blackout::parse_list("test", raw).unwrap()
}

async fn with_blackout(raw: &'static str, scenarios: Option<std::path::PathBuf>) -> TestApp {
    spawn_with(move |c| {
        c.blackout.0 = ranges(raw);
        if let Some(dir) = scenarios {
            c.scenario_dir = dir;
        }
    })
    .await
}

fn local_date(start_at: &str) -> NaiveDate {
    DateTime::parse_from_rfc3339(start_at)
        .unwrap()
        .with_timezone(&chrono_tz::America::Denver)
        .date_naive()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn import(app: &TestApp, class: usize) {
    let roster: Vec<Value> = (1..=class)
        .map(|i| json!({"id": format!("team{i:03}"), "name": format!("Team {i}")}))
        .collect();
    let (status, imported) = app
        .admin(Method::POST, "/api/admin/vendors/import", Some(json!(roster)))
        .await;
    assert_eq!(status, StatusCode::OK, "{imported}");
}

#[tokio::test]
async fn a_campaign_of_300_draws_around_a_two_week_blackout_one_per_vendor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "scenarios/semester-campaign.toml",
        dir.path().join("semester-campaign.toml"),
    )
    .unwrap();
    let app = with_blackout("2026-12-21..2027-01-03", Some(dir.path().to_path_buf())).await;
    import(&app, 300).await;
    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/semester-campaign/apply",
            Some(json!({"vendors": "all", "firstDate": "2026-12-07", "spanDays": 42, "seed": 15})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let incidents = applied["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 300);
    assert!(applied["skipped"].as_array().unwrap().is_empty());
    let vendors: BTreeSet<&str> = incidents.iter().map(|i| i["vendorId"].as_str().unwrap()).collect();
    assert_eq!(vendors.len(), 300, "one per vendor");
    let (mut before, mut after) = (0, 0);
    for i in incidents {
        let day = local_date(i["startAt"].as_str().unwrap());
        assert!(
            !(date("2026-12-21")..=date("2027-01-03")).contains(&day),
            "{} starts on {day}, inside the blackout",
            i["vendorId"]
        );
        if day < date("2026-12-21") {
            before += 1;
        } else {
            after += 1;
        }
    }
    assert!(
        before > 100 && after > 100,
        "the term's open weeks share the draws: {before}/{after}"
    );
}

#[tokio::test]
async fn an_explicit_start_on_a_blackout_date_is_refused_naming_it() {
    let app = with_blackout(WINTER, None).await;
    app.create_vendor("v1").await;
    let named = "2026-12-24 is a blackout date (2026-12-21..2027-01-04)";
    let path = "/api/admin/vendors/v1/chaos";
    let (status, body) = app
        .admin(
            Method::POST,
            path,
            Some(json!({"mode": "fail", "start": "2026-12-24T17:00:00Z"})),
        )
        .await;
    assert_eq!(
        (status, body["message"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, named)
    );
    let (status, body) = app
        .admin(
            Method::POST,
            path,
            Some(json!({"mode": "fail", "window": {"date": "2026-12-24"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().ends_with(named), "{body}");
    let (status, body) = app
        .admin(
            Method::POST,
            path,
            Some(json!({"mode": "fail", "start": "2027-03-16T15:00:00Z"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "2027-03-16 is a blackout date (2027-03-16)");
    let (_, list) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    assert_eq!(list, json!([]), "nothing was stored");

    // Moving a scheduled chaos onto one is refused the same way; so is firing it now on one.
    app.chaos("v1", json!({"mode": "fail", "start": "2027-02-10T17:00:00Z"}))
        .await;
    let (status, body) = app
        .admin(Method::PATCH, path, Some(json!({"start": "2026-12-24T17:00:00Z"})))
        .await;
    assert_eq!(
        (status, body["message"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, named)
    );
    app.clock.set("2026-12-24T17:00:00Z".parse::<DateTime<Utc>>().unwrap());
    let (status, body) = app.admin(Method::PATCH, path, Some(json!({"start": "now"}))).await;
    assert_eq!(
        (status, body["message"].as_str().unwrap()),
        (StatusCode::BAD_REQUEST, named)
    );
}

#[tokio::test]
async fn a_vendors_own_request_moves_to_the_same_time_on_the_next_open_day() {
    // t0 is 2026-12-01 in Denver: tomorrow's window falls on the blackout.
    let app = with_blackout("2026-12-02..2026-12-03", None).await;
    let key = app.create_vendor("v1").await;
    let (status, body) = app.json(Method::PUT, "/api/vendor/chaos/fail", Some(&key), None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"message": "Chaos initiated"})));
    let (_, list) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    let start = list[0]["startAt"].as_str().unwrap();
    assert_eq!(local_date(start), date("2026-12-04"));
    let local = DateTime::parse_from_rfc3339(start)
        .unwrap()
        .with_timezone(&chrono_tz::America::Denver);
    assert!((8..14).contains(&local.hour()), "inside the daily window: {local}");
}

#[tokio::test]
async fn a_scenario_windows_own_blackout_is_honoured_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = |blackout: &str| {
        format!(
            "[chaos]\nmode = \"fail\"\n\n[chaos.window]\nfrom = \"09:00\"\nto = \"15:00\"\ntz = \"America/Denver\"\n\
             first_date = 2026-12-02\nspan_days = 14\nblackout = [{blackout}]\n"
        )
    };
    std::fs::write(
        dir.path().join("holiday.toml"),
        file("\"2026-12-02..2026-12-08\", \"2026-12-11\""),
    )
    .unwrap();
    std::fs::write(dir.path().join("shut.toml"), file("\"2026-12-01..2026-12-20\"")).unwrap();
    let app = with_blackout("2026-12-14", Some(dir.path().to_path_buf())).await;
    import(&app, 40).await;
    let (_, listed) = app.admin(Method::GET, "/api/admin/scenarios", None).await;
    let holiday = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "holiday")
        .unwrap();
    assert_eq!(
        holiday["start"]["window"]["blackout"],
        "2026-12-02..2026-12-08, 2026-12-11"
    );
    // Before the campaign below: a vendor with chaos pending is skipped, never drawn for.
    let (status, body) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/shut/apply",
            Some(json!({"vendors": "all"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("2026-12-01..2026-12-20"),
        "{body}"
    );
    let (status, applied) = app
        .admin(
            Method::POST,
            "/api/admin/scenarios/holiday/apply",
            Some(json!({"vendors": "all", "seed": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let days: BTreeSet<NaiveDate> = applied["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| local_date(i["startAt"].as_str().unwrap()))
        .collect();
    let open = ["2026-12-09", "2026-12-10", "2026-12-12", "2026-12-13", "2026-12-15"];
    assert!(days.iter().all(|d| open.contains(&d.to_string().as_str())), "{days:?}");
}

#[test]
fn a_bad_blackout_list_stops_the_start_with_a_precise_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
        .env_clear()
        .env("FACTORY_DATA_DIR", dir.path())
        .env("FACTORY_PORT", "0")
        .env("FACTORY_BLACKOUT", "2026-12-21..2027-01-04,2026-12-31..2026-12-01")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("FACTORY_BLACKOUT: \"2026-12-31..2026-12-01\" ends before it starts"),
        "{err}"
    );
}

#[tokio::test]
async fn the_console_shows_the_blackout_where_chaos_is_scheduled() {
    let app = with_blackout(WINTER, None).await;
    app.create_vendor("v1").await;
    let console = crate::console::Console::sign_in(&app).await;
    for path in ["/admin/scenarios", "/admin/vendors/v1"] {
        let (status, page) = console.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("2026-12-21..2027-01-04, 2027-03-16"), "{path}: {page}");
    }
}
