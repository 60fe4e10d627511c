//! Reads are exactly true at every instant: what an incident, a vendor or /metrics says agrees
//! with what the order path is doing, with no scheduler tick in between.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app};
use pizza_factory::domain::instant;

async fn metrics(app: &TestApp) -> String {
    let res = app.call(Method::GET, "/metrics", Some(ADMIN_KEY), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

fn gauge(text: &str, name: &str) -> i64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} missing"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn every_read_around_the_start_and_the_expiry_agrees_with_the_order_path() {
    let app = spawn_app().await;
    let key = app.create_vendor("team7").await;
    let t = app.clock_now();
    let start = t + Duration::seconds(3);
    let end = start + Duration::seconds(2);
    let incident = app
        .chaos(
            "team7",
            json!({"mode": "fail", "start": instant::format(&start), "maxDurationSecs": 2}),
        )
        .await;
    let id = incident["id"].as_str().unwrap().to_owned();
    let mut failed = 0;
    // Quarter-second steps across the start and the expiry second; no tick is ever run.
    for step in 0..28 {
        app.clock.set(t + Duration::milliseconds(250 * step));
        let now = app.clock_now();
        let status = app.order(&key).await.status();
        let read = app.incident(&id).await;
        let (_, vendor) = app.admin(Method::GET, "/api/admin/vendors/team7", None).await;
        let m = metrics(&app).await;
        let at = format!("at {now}: {read}");
        if now < start {
            assert_eq!(status, StatusCode::OK, "{at}");
            assert_eq!(read["state"], "scheduled", "{at}");
            assert!(read["startedAt"].is_null() && read["firstFailureAt"].is_null(), "{at}");
            assert_eq!(vendor["chaos"]["state"], "scheduled", "{at}");
            assert_eq!(
                (gauge(&m, "factory_chaos_scheduled"), gauge(&m, "factory_chaos_active")),
                (1, 0)
            );
        } else if now < end {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{at}");
            failed += 1;
            assert_eq!(read["state"], "active", "{at}");
            assert_eq!(read["startedAt"], instant::format(&start), "{at}");
            assert!(read["resolvedAt"].is_null(), "{at}");
            assert_eq!(
                read["stats"]["ordersFailed"], failed,
                "the order just answered is counted: {at}"
            );
            assert_eq!(vendor["chaos"]["state"], "active", "{at}");
            assert_eq!(
                (gauge(&m, "factory_chaos_scheduled"), gauge(&m, "factory_chaos_active")),
                (0, 1)
            );
        } else {
            assert_eq!(status, StatusCode::OK, "{at}");
            assert_eq!(read["state"], "expired", "{at}");
            assert_eq!(read["resolvedBy"], "expiry", "{at}");
            assert_eq!(read["resolvedAt"], instant::format(&end), "{at}");
            assert_eq!(read["stats"]["secondsToResolve"], 2, "{at}");
            assert_eq!(read["stats"]["ordersFailed"], failed, "{at}");
            assert!(vendor["chaos"].is_null(), "{at}: {vendor}");
            assert_eq!(
                (gauge(&m, "factory_chaos_scheduled"), gauge(&m, "factory_chaos_active")),
                (0, 0)
            );
        }
    }
    assert_eq!(failed, 8, "two seconds of quarter-second steps");
}

/// Ends, deletions and halts that come after the expiry instant but before any tick find the
/// chaos already expired, at its end, not ended by an admin.
#[tokio::test]
async fn an_admin_who_comes_after_the_expiry_finds_it_expired() {
    let app = spawn_app().await;
    for vendor in ["ended", "deleted", "halted"] {
        app.create_vendor(vendor).await;
    }
    let mut ids = Vec::new();
    for vendor in ["ended", "deleted", "halted"] {
        let incident = app
            .chaos(vendor, json!({"mode": "fail", "start": "now", "maxDurationSecs": 60}))
            .await;
        ids.push(incident["id"].as_str().unwrap().to_owned());
    }
    let end = app.clock_now() + Duration::seconds(60);
    app.advance(61);
    let (status, body) = app.admin(Method::DELETE, "/api/admin/vendors/ended/chaos", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = app.admin(Method::DELETE, "/api/admin/vendors/deleted", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, halted) = app
        .admin(Method::POST, "/api/admin/chaos/halt", Some(json!({"reason": "late"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(halted["halted"], 0, "{halted}");
    for id in &ids {
        let incident: Value = app.incident(id).await;
        assert_eq!(
            (&incident["state"], &incident["resolvedBy"], &incident["resolvedAt"]),
            (&json!("expired"), &json!("expiry"), &json!(instant::format(&end))),
            "{incident}"
        );
    }
}

/// A live drill of a chaos that expires reads what the in-process drill reads: expired by
/// itself at its end, never "ended by admin" when the drill tidies its vendors away.
#[tokio::test]
async fn a_live_drill_of_an_expiring_chaos_reads_it_expired() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "live-expiry-admin-key-0123456789abcdef012345";
    let mut factory = crate::process::start(&dir.path().join("data"), &[("FACTORY_ADMIN_KEY", admin)]);
    let text = crate::scenarios::live_drill(
        &factory,
        dir.path(),
        admin,
        "vendors = [\"team5\"]\n[chaos]\nmode = \"overload\"\nstart = \"+1s\"\nmax_duration = \"2s\"\n\
         [[orders]]\nat = [\"+0s\", \"+1s\"]\nitems = [{ price = 0.5 }]\n\
         [expect]\nstate = \"expired\"\nresolved_by = \"expiry\"\norders_failed = 2\nseconds_to_resolve = 2\n",
    )
    .await;
    assert!(text.contains("4 of 4 expectations met"), "{text}");
    let client = reqwest::Client::new();
    let incidents: Value = client
        .get(format!("{}/api/admin/incidents?includeVoided=true", factory.url))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        incidents[0]["resolvedBy"], "expiry",
        "deleting the drill's vendor did not end it: {incidents}"
    );
    factory.terminate();
}
