//! An instructor's controls over a term: moving a scheduled chaos, the kill switch that keeps
//! the schedule, the pause, voided and drill incidents.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use pizza_factory::domain::instant;

use crate::helpers::{TestApp, kinds, spawn_app, t0};

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn instant_of(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// The default window (08:00–14:00 America/Denver, MST in December) on the given day of
/// December 2026, as UTC bounds.
fn december_window(day: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start: DateTime<Utc> = format!("2026-12-{day:02}T15:00:00Z").parse().unwrap();
    (start, start + Duration::hours(6))
}

fn in_window(t: DateTime<Utc>, (start, end): (DateTime<Utc>, DateTime<Utc>)) -> bool {
    t >= start && t < end
}

async fn patch(app: &TestApp, vendor: &str, body: Value) -> (StatusCode, Value) {
    app.admin(Method::PATCH, &format!("/api/admin/vendors/{vendor}/chaos"), Some(body))
        .await
}

async fn halt(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.admin(Method::POST, "/api/admin/chaos/halt", Some(body)).await
}

/// The detail of the incident's first event of `kind`.
fn detail(incident: &Value, kind: &str) -> String {
    let events = incident["timeline"].as_array().unwrap();
    let event = events.iter().find(|e| e["kind"] == kind);
    event.unwrap_or_else(|| panic!("no {kind} event: {incident}"))["detail"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn patch_to_now_bites_at_once_and_keeps_the_incident() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let scheduled = app
        .chaos(
            "v",
            json!({"mode": "flaky", "params": {"everyNth": 1}, "start": at(t0() + Duration::hours(3)), "maxDurationSecs": 600}),
        )
        .await;
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    let (status, moved) = patch(&app, "v", json!({"start": "now"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    for field in ["id", "mode", "params", "maxDurationSecs", "initiatedBy", "initiatedAt"] {
        assert_eq!(moved[field], scheduled[field], "{field} is kept");
    }
    assert_eq!(moved["state"], "active");
    assert_eq!(moved["startAt"], json!(instant::format(&t0())));
    assert_eq!(
        detail(&moved, "rescheduled"),
        "moved by admin:admin from 2026-12-01 15:00:00 MST to 2026-12-01 12:00:00 MST"
    );
    let (status, body) = app.order_json(&key, &[1.0]).await;
    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the next order fails: {body}"
    );
    assert_eq!(body["message"], "chaos monkey");
    let (status, body) = patch(&app, "v", json!({"start": "now"})).await;
    assert_eq!(
        (status, body["message"].clone()),
        (StatusCode::CONFLICT, json!("chaos is already active"))
    );
    // Still the one incident, counting what it did.
    let incident = app.incident(scheduled["id"].as_str().unwrap()).await;
    assert_eq!(incident["stats"]["ordersFailed"], 1);
    assert_eq!(
        kinds(&incident),
        ["scheduled", "rescheduled", "started", "first_failure"]
    );
}

#[tokio::test]
async fn patch_moves_to_an_instant_or_a_window_and_checks_like_scheduling() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    app.create_vendor("idle").await;
    let (status, body) = patch(&app, "idle", json!({"start": "now"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = patch(&app, "nobody", json!({"start": "now"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let scheduled = app
        .chaos("v", json!({"mode": "fail", "start": at(t0() + Duration::hours(3))}))
        .await;
    let window = json!({"from": "08:00", "to": "14:00", "date": "2026-11-30"});
    for (body, why) in [
        (json!({"start": at(t0() - Duration::hours(1))}), "past"),
        (json!({"start": "soon"}), "not an instant"),
        (json!({}), "neither start nor window"),
        (json!({"start": "now", "window": window}), "both"),
        (json!({"window": window}), "an ended window"),
        (
            json!({"start": "now", "mode": "badjwt"}),
            "the mode is kept, not patched",
        ),
    ] {
        let (status, answer) = patch(&app, "v", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {answer}");
        assert!(answer["message"].is_string());
    }
    let later = t0() + Duration::hours(1);
    let (status, moved) = patch(&app, "v", json!({"start": at(later)})).await;
    assert_eq!((status, moved["id"].clone()), (StatusCode::OK, scheduled["id"].clone()));
    assert_eq!(moved["state"], "scheduled");
    app.advance(1800);
    app.tick().await;
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    let (status, moved) = patch(&app, "v", json!({"window": {"date": "2026-12-03"}})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert!(in_window(instant_of(&moved["startAt"]), december_window(3)), "{moved}");
    app.clock.set(later);
    app.tick().await;
    assert_eq!(app.order(&key).await.status(), StatusCode::OK, "moved away from here");
    app.clock.set(instant_of(&moved["startAt"]));
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn halt_keeps_the_schedule_unless_told_to_cancel_it() {
    let app = spawn_app().await;
    let a = app.create_vendor("a").await;
    let b = app.create_vendor("b").await;
    let active = app.chaos("a", json!({"mode": "fail", "start": "now"})).await;
    let pending = app
        .chaos("b", json!({"mode": "fail", "start": at(t0() + Duration::hours(1))}))
        .await;
    let (status, body) = halt(&app, json!({"reason": "bad\u{7}bell"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, halted) = halt(&app, json!({"reason": "grading week"})).await;
    assert_eq!(
        (status, halted),
        (StatusCode::OK, json!({"halted": 1, "pausedUntil": null}))
    );
    let ended = app.incident(active["id"].as_str().unwrap()).await;
    assert_eq!(
        (ended["state"].clone(), ended["resolvedBy"].clone()),
        (json!("resolved"), json!("admin"))
    );
    assert!(detail(&ended, "resolved").contains("halt: grading week"));
    assert_eq!(app.order(&a).await.status(), StatusCode::OK);
    let kept = app.incident(pending["id"].as_str().unwrap()).await;
    assert_eq!(
        (kept["state"].clone(), kept["startAt"].clone()),
        (json!("scheduled"), pending["startAt"].clone())
    );

    app.chaos("a", json!({"mode": "fail", "start": "now"})).await;
    let (status, halted) = halt(&app, json!({"reason": "term over", "cancelScheduled": true})).await;
    assert_eq!(
        (status, halted),
        (StatusCode::OK, json!({"halted": 2, "pausedUntil": null}))
    );
    let cancelled = app.incident(pending["id"].as_str().unwrap()).await;
    assert_eq!(cancelled["state"], "cancelled");
    assert!(detail(&cancelled, "cancelled").contains("halt: term over"));
    app.advance(7200);
    app.tick().await;
    assert_eq!(app.order(&b).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_pause_postpones_what_falls_inside_it_and_holds_back_new_starts() {
    let app = spawn_app().await;
    let a = app.create_vendor("a").await;
    let b = app.create_vendor("b").await;
    let c = app.create_vendor("c").await;
    // a falls inside the pause (12:30 MST), b after it.
    let inside = app
        .chaos("a", json!({"mode": "fail", "start": at(t0() + Duration::minutes(30))}))
        .await;
    let after = app
        .chaos("b", json!({"mode": "fail", "start": at(t0() + Duration::days(3))}))
        .await;
    let until = t0() + Duration::hours(1); // 13:00 MST, inside today's window
    let (status, body) = halt(&app, json!({"reason": "exam", "until": at(t0() - Duration::hours(1))})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a pause must end in the future: {body}"
    );
    let (status, body) = halt(&app, json!({"reason": "exam", "until": "tomorrow"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, halted) = halt(&app, json!({"reason": "exam", "until": at(until)})).await;
    assert_eq!(
        (status, halted),
        (
            StatusCode::OK,
            json!({"halted": 0, "pausedUntil": instant::format(&until)})
        )
    );
    let (_, pause) = app.admin(Method::GET, "/api/admin/chaos/pause", None).await;
    assert_eq!(
        pause,
        json!({"paused": true, "until": instant::format(&until), "reason": "exam"})
    );

    // Moved to the next day's window, the move on its timeline; what lies after is untouched.
    let moved = app.incident(inside["id"].as_str().unwrap()).await;
    let moved_start = instant_of(&moved["startAt"]);
    assert_eq!(moved["state"], "scheduled");
    assert!(in_window(moved_start, december_window(2)), "{moved}");
    assert!(detail(&moved, "rescheduled").contains("paused until 2026-12-01 13:00:00 MST"));
    assert_eq!(
        app.incident(after["id"].as_str().unwrap()).await["startAt"],
        after["startAt"]
    );

    // A new request is accepted and obeys the pause; so is a move to now.
    let fresh = app.chaos("c", json!({"mode": "overload", "start": "now"})).await;
    assert_eq!(fresh["state"], "scheduled", "{fresh}");
    assert!(in_window(instant_of(&fresh["startAt"]), december_window(2)), "{fresh}");
    let (status, held) = patch(&app, "c", json!({"start": "now"})).await;
    assert_eq!((status, held["state"].clone()), (StatusCode::OK, json!("scheduled")));
    assert!(in_window(instant_of(&held["startAt"]), december_window(2)), "{held}");

    // a's old start passes during the pause: nothing bites.
    app.advance(1800);
    app.tick().await;
    for key in [&a, &b, &c] {
        assert_eq!(app.order(key).await.status(), StatusCode::OK);
    }
    // After the pause, still nothing until the moved start; then it bites.
    app.clock.set(until + Duration::minutes(1));
    app.tick().await;
    let (_, pause) = app.admin(Method::GET, "/api/admin/chaos/pause", None).await;
    assert_eq!(pause["paused"], false);
    assert_eq!(app.order(&a).await.status(), StatusCode::OK);
    app.clock.set(moved_start);
    app.tick().await;
    assert_eq!(app.order(&a).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn resume_ends_a_pause_early() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let until = t0() + Duration::days(5);
    let (status, _) = halt(&app, json!({"reason": "break", "until": at(until)})).await;
    assert_eq!(status, StatusCode::OK);
    let held = app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    assert_eq!(held["state"], "scheduled");
    assert!(instant_of(&held["startAt"]) >= until);
    app.admin(Method::DELETE, "/api/admin/vendors/v/chaos", None).await;
    let (status, state) = app.admin(Method::POST, "/api/admin/chaos/resume", None).await;
    assert_eq!(
        (status, state),
        (StatusCode::OK, json!({"paused": false, "until": null, "reason": null}))
    );
    let (_, state) = app.admin(Method::GET, "/api/admin/chaos/pause", None).await;
    assert_eq!(state["paused"], false);
    let now = app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    assert_eq!(now["state"], "active");
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_pause_survives_a_restart() {
    let app = spawn_app().await;
    let key = app.create_vendor("v").await;
    let until = t0() + Duration::days(1);
    let (status, _) = halt(&app, json!({"reason": "holiday", "until": at(until)})).await;
    assert_eq!(status, StatusCode::OK);
    let app = app.restart().await;
    let (_, pause) = app.admin(Method::GET, "/api/admin/chaos/pause", None).await;
    assert_eq!(
        pause,
        json!({"paused": true, "until": instant::format(&until), "reason": "holiday"})
    );
    let held = app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    assert_eq!(held["state"], "scheduled", "{held}");
    app.tick().await;
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn void_and_drill_incidents_are_flagged_and_left_out_of_the_default_list() {
    let app = spawn_app().await;
    for v in ["typo", "drill", "real"] {
        app.create_vendor(v).await;
    }
    let typo = app.chaos("typo", json!({"mode": "fail", "start": "now"})).await;
    let typo_id = typo["id"].as_str().unwrap();
    let void_path = format!("/api/admin/incidents/{typo_id}/void");
    let (status, body) = app
        .admin(Method::POST, &void_path, Some(json!({"reason": "typo"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "an open incident is ended first: {body}");
    assert!(body["message"].as_str().unwrap().contains("end it first"));
    app.admin(Method::DELETE, "/api/admin/vendors/typo/chaos", None).await;
    for (reason, why) in [(json!(""), "empty"), (json!("  "), "blank"), (json!("a\nb"), "control")] {
        let (status, body) = app
            .admin(Method::POST, &void_path, Some(json!({ "reason": reason })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {body}");
    }
    let (status, body) = app.admin(Method::POST, &void_path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, voided) = app
        .admin(Method::POST, &void_path, Some(json!({"reason": "wrong vendor"})))
        .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(
        voided["voided"],
        json!({"at": instant::format(&t0()), "by": "admin:admin", "reason": "wrong vendor"})
    );
    assert_eq!(kinds(&voided).last().unwrap(), "voided");
    let (status, _) = app
        .admin(Method::POST, &void_path, Some(json!({"reason": "again"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .admin(
            Method::POST,
            "/api/admin/incidents/0f0f0f0f-0000-4000-8000-000000000000/void",
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let drill = app
        .chaos(
            "drill",
            json!({"mode": "fail", "start": at(t0() + Duration::hours(1)), "drill": true}),
        )
        .await;
    assert_eq!(
        (drill["drill"].clone(), drill["voided"].clone()),
        (json!(true), Value::Null)
    );
    let real = app
        .chaos("real", json!({"mode": "fail", "start": at(t0() + Duration::hours(1))}))
        .await;
    assert_eq!(
        (real["drill"].clone(), real["voided"].clone()),
        (json!(false), Value::Null)
    );

    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, default) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    assert_eq!(ids(&default), [real["id"].as_str().unwrap()]);
    let (_, scheduled) = app
        .admin(Method::GET, "/api/admin/incidents?state=scheduled", None)
        .await;
    assert_eq!(ids(&scheduled), [real["id"].as_str().unwrap()]);
    let (_, all) = app
        .admin(Method::GET, "/api/admin/incidents?includeVoided=true", None)
        .await;
    let mut all = ids(&all);
    all.sort();
    let mut want = vec![
        typo_id.to_owned(),
        drill["id"].as_str().unwrap().to_owned(),
        real["id"].as_str().unwrap().to_owned(),
    ];
    want.sort();
    assert_eq!(all, want);
    let (status, _) = app
        .admin(Method::GET, "/api/admin/incidents?includeVoided=maybe", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let read = app.incident(typo_id).await;
    assert_eq!(read["voided"]["reason"], "wrong vendor", "still readable by id");
}
