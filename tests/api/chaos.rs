//! Chaos: modes, scheduling, the unannounced property, activation, halt, expiry, restarts.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use pizza_factory::clock::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use pizza_factory::domain::instant;

use crate::helpers::{TestApp, kinds, order_body, spawn_app, t0};

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

async fn chaos_now(app: &TestApp, vendor: &str, mode: &str, params: Value) -> Value {
    app.chaos(vendor, json!({"mode": mode, "start": "now", "params": params}))
        .await
}

#[tokio::test]
async fn fail_badjwt_expiredjwt_and_overload_answer_as_the_contract_says() {
    let app = spawn_app().await;
    for mode in ["fail", "badjwt", "expiredjwt", "overload"] {
        let key = app.create_vendor(mode).await;
        let incident = chaos_now(&app, mode, mode, json!({})).await;
        assert_eq!(incident["state"], "active", "start now is active at once");
        let res = app.order(&key).await;
        let status = res.status();
        let header = res
            .headers()
            .get("x-chaos-report")
            .map(|h| h.to_str().unwrap().to_owned());
        let retry_after = res.headers().get("retry-after").cloned();
        let body: Value = res.json().await.unwrap();
        let url = body["reportUrl"].as_str().unwrap();
        assert_eq!(
            header.as_deref(),
            Some(url),
            "{mode}: header and body carry the same URL"
        );
        assert!(url.starts_with(&format!("{}/api/support/{mode}/report/", app.url)));
        match mode {
            "fail" => {
                assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
                assert_eq!(body["message"], "chaos monkey");
            }
            "overload" => {
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
                assert_eq!(body["message"], "Unable to satisfy pizza order. The oven is full.");
                assert!(retry_after.is_some());
            }
            _ => {
                assert_eq!(status, StatusCode::OK);
                let jwt = body["jwt"].as_str().unwrap();
                assert_eq!(
                    app.verify(jwt).await,
                    (StatusCode::FORBIDDEN, json!({"message": "invalid"}))
                );
                if mode == "expiredjwt" {
                    // Correctly signed: an hour before its expiry the factory itself accepts it.
                    let exp = chrono::TimeZone::timestamp_opt(&Utc, claims(jwt)["exp"].as_i64().unwrap(), 0).unwrap();
                    let now = app.clock.now();
                    app.clock.set(exp - Duration::hours(1));
                    assert_eq!(app.verify(jwt).await.0, StatusCode::OK);
                    app.clock.set(now);
                }
            }
        }
    }
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn flaky_fails_exactly_the_orders_it_should() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    chaos_now(&app, "v", "flaky", json!({"everyNth": 3})).await;
    let mut statuses = Vec::new();
    for _ in 0..9 {
        let (status, body) = app.order_json(&key, &[1.0]).await;
        assert!(
            body["reportUrl"].is_string(),
            "flaky successes carry the report URL too"
        );
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 500, 200, 200, 500, 200, 200, 500]);
    app.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    for (p, expect_all) in [(0.0, false), (1.0, true)] {
        chaos_now(&app, "v", "flaky", json!({"probability": p})).await;
        for _ in 0..5 {
            let failed = app.order(&key).await.status() == StatusCode::INTERNAL_SERVER_ERROR;
            assert_eq!(failed, expect_all, "probability {p}");
        }
        app.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    }
    let incident = chaos_now(&app, "v", "flaky", json!({"probability": 0.5, "seed": 1234})).await;
    assert_eq!(incident["params"]["seed"], 1234, "the seed is stored with the incident");
}

#[tokio::test]
async fn throttle_waits_on_the_clock_and_holds_no_thread() {
    let app = spawn_app().await;
    let slow = app.create_vendor("slow").await;
    let other = app.create_vendor("other").await;
    chaos_now(&app, "slow", "throttle", json!({"delayMs": 5000})).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let mut waiting = Vec::new();
    for _ in 0..1000 {
        let req = client
            .post(format!("{}/api/order", app.url))
            .bearer_auth(&slow)
            .json(&order_body(&[1.0]));
        waiting.push(tokio::spawn(async move { req.send().await }));
    }
    // With a thousand throttled orders parked on two workers, another vendor is served at once.
    for _ in 0..20 {
        let res = tokio::time::timeout(StdDuration::from_secs(10), app.order(&other))
            .await
            .expect("not blocked");
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert!(
        waiting.iter().all(|w| !w.is_finished()),
        "throttled orders wait for the clock"
    );
    // Every order must be parked on the clock before it moves, or a late one would wait for
    // a deadline five seconds past the advance.
    let mut sleepers = app.clock.sleepers();
    tokio::time::timeout(StdDuration::from_secs(30), sleepers.wait_for(|s| s.started >= 1000))
        .await
        .expect("all throttled orders reached the factory")
        .unwrap();
    app.advance(5);
    let mut ok = 0;
    for w in waiting {
        let res = tokio::time::timeout(StdDuration::from_secs(30), w)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().contains_key("x-chaos-report"));
        let body: Value = res.json().await.unwrap();
        assert!(body["jwt"].is_string() && body["reportUrl"].is_string());
        ok += 1;
    }
    assert_eq!(ok, 1000);
}

#[tokio::test]
async fn scheduled_chaos_is_invisible_until_its_exact_second() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let bystander = app.create_vendor("b").await;
    let before_res = app.order(&key).await;
    let before_headers: Vec<String> = before_res.headers().keys().map(|k| k.to_string()).collect();
    let before: Value = before_res.json().await.unwrap();
    let (_, me_before) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;

    let start = t0() + Duration::hours(1);
    let incident = app.chaos("v", json!({"mode": "fail", "start": at(start)})).await;
    assert_eq!(incident["state"], "scheduled");
    app.advance(3599);
    app.tick().await;
    let res = app.order(&key).await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers: Vec<String> = res.headers().keys().map(|k| k.to_string()).collect();
    assert_eq!(headers, before_headers, "same headers as before chaos was scheduled");
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        before.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    let (_, me) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;
    assert_eq!(me, me_before);
    assert_eq!(me["chaos"], json!({"type": "none"}));
    let (_, own) = app.json(Method::GET, "/api/vendor/incidents", Some(&key), None).await;
    assert_eq!(own, json!([]));
    let (_, admin_view) = app.admin(Method::GET, "/api/admin/vendors/v", None).await;
    assert_eq!(admin_view["chaos"]["state"], "scheduled", "admins see the schedule");

    // The start second: chaos bites before the scheduler has run.
    app.advance(1);
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        app.order(&bystander).await.status(),
        StatusCode::OK,
        "other vendors are never affected"
    );
    let (_, me) = app.json(Method::GET, "/api/vendor", Some(&key), None).await;
    assert_eq!(me["chaos"]["type"], "fail");
    let start_date: DateTime<Utc> = me["chaos"]["startDate"].as_str().unwrap().parse().unwrap();
    assert_eq!(start_date, start);
    app.tick().await;
    app.tick().await;
    let incident = app.incident(incident["id"].as_str().unwrap()).await;
    assert_eq!(incident["state"], "active");
    assert_eq!(incident["startedAt"], json!(instant::format(&start)));
    assert_eq!(
        kinds(&incident).iter().filter(|k| *k == "started").count(),
        1,
        "start recorded once"
    );
}

#[tokio::test]
async fn vendors_schedule_their_own_chaos_in_tomorrows_window() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let put = |mode: &'static str| {
        let path = format!("/api/vendor/chaos/{mode}");
        let (app, key) = (&app, &key);
        async move { app.json(Method::PUT, &path, Some(key), None).await }
    };
    assert_eq!(
        put("explode").await,
        (StatusCode::BAD_REQUEST, json!({"message": "Invalid chaos type"}))
    );
    assert_eq!(
        put("fail").await,
        (StatusCode::OK, json!({"message": "Chaos initiated"}))
    );
    let (_, first) = app.admin(Method::GET, "/api/admin/incidents?vendor=v", None).await;
    let start: DateTime<Utc> = serde_json::from_value(first[0]["startAt"].clone()).unwrap();
    // t0 is 2026-12-01 12:00 MST; tomorrow's window is 08:00-14:00 MST on 2026-12-02.
    let local = start.with_timezone(&chrono_tz::America::Denver);
    assert_eq!(local.format("%Y-%m-%d").to_string(), "2026-12-02");
    assert!((8..14).contains(&chrono::Timelike::hour(&local)), "{local}");
    assert_eq!(first[0]["initiatedBy"], "vendor:v");

    // A second request replaces the scheduled one, and the answer is the same.
    assert_eq!(
        put("throttle").await,
        (StatusCode::OK, json!({"message": "Chaos initiated"}))
    );
    let (_, all) = app.admin(Method::GET, "/api/admin/incidents?vendor=v", None).await;
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(states.contains(&"cancelled") && states.contains(&"scheduled"));

    // An admin cannot stack a second chaos.
    let (status, _) = app
        .admin(
            Method::POST,
            "/api/admin/vendors/v/chaos",
            Some(json!({"mode": "fail"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Once active, the vendor's own request is refused.
    app.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    chaos_now(&app, "v", "fail", json!({})).await;
    assert_eq!(put("badjwt").await.0, StatusCode::CONFLICT);
}

#[tokio::test]
async fn admin_chaos_input_is_validated_precisely() {
    let app = spawn_app().await;
    app.create_vendor("v").await;
    let cases = [
        (json!({"mode": "explode"}), "mode"),
        (json!({"mode": "flaky", "params": {"probability": 1.5}}), "probability"),
        (json!({"mode": "flaky", "params": {"probability": -0.1}}), "probability"),
        (
            json!({"mode": "flaky", "params": {"probability": 0.5, "everyNth": 2}}),
            "everyNth",
        ),
        (
            json!({"mode": "throttle", "params": {"delayMs": 999_999_999}}),
            "delayMs",
        ),
        (json!({"mode": "fail", "params": {"delayMs": 10}}), "delayMs"),
        (json!({"mode": "fail", "params": {"colour": "red"}}), "unknown field"),
        (json!({"mode": "fail", "when": "now"}), "unknown field"),
        (json!({"mode": "fail", "start": "yesterday"}), "start"),
        (json!({"mode": "fail", "start": "2020-01-01T00:00:00Z"}), "past"),
        (json!({"mode": "fail", "window": {"tz": "Mars/Olympus"}}), "window.tz"),
        (json!({"mode": "fail", "window": {"from": "8am"}}), "window.from"),
        (json!({"mode": "fail", "window": {"date": "2026-02-30"}}), "window.date"),
        (json!({"mode": "fail", "start": "now", "window": {}}), "not both"),
        (json!({"mode": "fail", "maxDurationSecs": 0}), "maxDurationSecs"),
        (json!({}), "mode"),
    ];
    for (body, needle) in cases {
        let (status, msg) = app
            .admin(Method::POST, "/api/admin/vendors/v/chaos", Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {msg}");
        assert!(msg["message"].as_str().unwrap().contains(needle), "{body} -> {msg}");
    }
    let (status, _) = app
        .admin(
            Method::POST,
            "/api/admin/vendors/ghost/chaos",
            Some(json!({"mode": "fail"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, v) = app.admin(Method::GET, "/api/admin/vendors/v", None).await;
    assert_eq!(v["chaos"], Value::Null, "no rejected request scheduled anything");
}

#[tokio::test]
async fn admin_windows_are_honoured_across_dst() {
    let app = spawn_app().await;
    app.clock.set("2026-03-01T12:00:00Z".parse().unwrap());
    for i in 0..20 {
        let id = format!("v{i}");
        app.create_vendor(&id).await;
        let incident = app
            .chaos(&id, json!({"mode": "fail", "window": {"from": "01:00", "to": "04:00", "tz": "America/Denver", "date": "2026-03-08"}}))
            .await;
        let start: DateTime<Utc> = serde_json::from_value(incident["startAt"].clone()).unwrap();
        // 01:00 MST is 08:00Z; 04:00 MDT is 10:00Z: the window is two real hours long.
        assert!(start >= "2026-03-08T08:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(
            start < "2026-03-08T10:00:00Z".parse::<DateTime<Utc>>().unwrap(),
            "{start}"
        );
    }
}

#[tokio::test]
async fn cancel_end_and_halt() {
    let app = spawn_app().await;
    let keys: Vec<String> = futures_util::future::join_all(["a", "b", "c"].map(|v| app.create_vendor(v))).await;
    let (status, _) = app.admin(Method::DELETE, "/api/admin/vendors/a/chaos", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.chaos("a", json!({"mode": "fail", "start": at(t0() + Duration::hours(2))}))
        .await;
    let (status, cancelled) = app.admin(Method::DELETE, "/api/admin/vendors/a/chaos", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["resolvedAt"], Value::Null);

    chaos_now(&app, "a", "fail", json!({})).await;
    let (_, ended) = app.admin(Method::DELETE, "/api/admin/vendors/a/chaos", None).await;
    assert_eq!(
        (ended["state"].clone(), ended["resolvedBy"].clone()),
        (json!("resolved"), json!("admin"))
    );
    assert_eq!(app.order(&keys[0]).await.status(), StatusCode::OK);

    chaos_now(&app, "a", "fail", json!({})).await;
    app.chaos("b", json!({"mode": "badjwt", "start": at(t0() + Duration::hours(1))}))
        .await;
    let (status, body) = app.admin(Method::POST, "/api/admin/chaos/halt", Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reason is required: {body}");
    let (status, halted) = app
        .admin(
            Method::POST,
            "/api/admin/chaos/halt",
            Some(json!({"reason": "exam in progress"})),
        )
        .await;
    assert_eq!(
        (status, halted),
        (StatusCode::OK, json!({"halted": 1, "pausedUntil": null})),
        "the active one ends; the scheduled one stays scheduled"
    );
    assert_eq!(app.order(&keys[0]).await.status(), StatusCode::OK);
    app.advance(7200);
    let (status, body) = app.order_json(&keys[1], &[1.0]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["reportUrl"].is_string(),
        "b's badjwt chaos started as scheduled: {body}"
    );
    let (_, all) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    let halted: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["timeline"].to_string().contains("exam in progress"))
        .collect();
    assert_eq!(halted.len(), 1);
    assert_eq!(
        (halted[0]["state"].clone(), halted[0]["resolvedBy"].clone()),
        (json!("resolved"), json!("admin"))
    );
}

#[tokio::test]
async fn chaos_expires_after_its_maximum_duration() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let incident = app
        .chaos("v", json!({"mode": "fail", "start": "now", "maxDurationSecs": 60}))
        .await;
    app.advance(59);
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    app.advance(1);
    assert_eq!(
        app.order(&key).await.status(),
        StatusCode::OK,
        "no chaos past the maximum, even before a tick"
    );
    app.tick().await;
    let incident = app.incident(incident["id"].as_str().unwrap()).await;
    assert_eq!(
        (incident["state"].clone(), incident["resolvedBy"].clone()),
        (json!("expired"), json!("expiry"))
    );
    assert_eq!(incident["stats"]["secondsToResolve"], 60);
    assert_eq!(kinds(&incident).last().unwrap(), "expired");
}

#[tokio::test]
async fn restart_picks_up_pending_and_overdue_chaos() {
    let app = spawn_app().await;
    let pending = app.create_vendor("pending").await;
    let overdue = app.create_vendor("overdue").await;
    let later = t0() + Duration::hours(3);
    let soon = t0() + Duration::minutes(10);
    app.chaos("pending", json!({"mode": "fail", "start": at(later)})).await;
    let overdue_incident = app
        .chaos("overdue", json!({"mode": "overload", "start": at(soon)}))
        .await;
    let mut app = app;
    app.stop().await;
    // The factory is down while the overdue chaos's start passes.
    app.clock.advance(Duration::hours(1));
    let app = app.restart().await;
    assert_eq!(app.order(&overdue).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.order(&pending).await.status(), StatusCode::OK);
    app.tick().await;
    let incident = app.incident(overdue_incident["id"].as_str().unwrap()).await;
    assert_eq!(incident["state"], "active");
    assert_eq!(
        incident["startedAt"],
        json!(instant::format(&soon)),
        "started at its scheduled instant"
    );
    app.clock.set(later);
    assert_eq!(app.order(&pending).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
