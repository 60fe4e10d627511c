//! Incident reports read like a person wrote them, with money in dollars when a rate is set.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app, spawn_with};
use crate::incidents::replay_real_incident;

async fn report(app: &TestApp, incident: &Value) -> String {
    let id = incident["id"].as_str().unwrap();
    let res = app
        .call(
            Method::GET,
            &format!("/api/admin/incidents/{id}/report"),
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

async fn end(app: &TestApp, vendor: &str) -> Value {
    let (status, incident) = app
        .admin(Method::DELETE, &format!("/api/admin/vendors/{vendor}/chaos"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    incident
}

fn lacks(report: &str, phrases: &[&str]) {
    for phrase in phrases {
        assert!(!report.contains(phrase), "report says {phrase:?}:\n{report}");
    }
}

fn has(report: &str, phrases: &[&str]) {
    for phrase in phrases {
        assert!(report.contains(phrase), "report lacks {phrase:?}:\n{report}");
    }
}

#[tokio::test]
async fn one_failed_order_of_an_every_second_order_chaos_ended_at_once_reads_naturally() {
    let app = spawn_app().await;
    let key = app.create_vendor("team2").await;
    app.chaos(
        "team2",
        json!({"mode": "flaky", "start": "now", "params": {"everyNth": 2}}),
    )
    .await;
    assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = report(&app, &end(&app, "team2").await).await;
    has(
        &text,
        &[
            "every 2nd order failed",
            "1 order failed",
            "for under a second",
            "by an instructor (admin:admin) through the admin API, not by the vendor's team.",
            "No wrong fix code was tried.",
            "Parameters: `{\"everyNth\":2,",
            "## Prevention",
            "circuit breaker",
            "## Action Items",
            "- [ ] Put a circuit breaker around calls to the factory",
        ],
    );
    lacks(
        &text,
        &[
            "1 orders",
            "2th",
            "0 seconds",
            "team. ended by",
            "Wrong fix codes tried",
        ],
    );
}

#[tokio::test]
async fn long_incidents_are_told_in_hours_and_empty_parameters_are_not_listed() {
    let app = spawn_app().await;
    let key = app.create_vendor("team3").await;
    app.chaos("team3", json!({"mode": "fail", "start": "now"})).await;
    for _ in 0..3 {
        assert_eq!(app.order(&key).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    app.advance(90 * 60);
    let text = report(&app, &end(&app, "team3").await).await;
    has(
        &text,
        &[
            "for 1 hour 30 minutes",
            "3 orders failed",
            "- Duration: 1 hour 30 minutes",
            "Alert on the rate of 5xx",
            "- [ ] Log the X-Chaos-Report header",
        ],
    );
    lacks(&text, &["Parameters", "0 seconds", "90 minutes"]);
    assert_eq!(
        text.matches("not by the vendor's team").count(),
        1,
        "said once:\n{text}"
    );
}

#[tokio::test]
async fn every_mode_teaches_its_own_prevention() {
    let app = spawn_app().await;
    let lessons = [
        ("throttle", "timeout"),
        ("badjwt", "Verify each ticket"),
        ("expiredjwt", "Verify each ticket"),
        ("overload", "Retry-After"),
    ];
    for (i, (mode, lesson)) in lessons.into_iter().enumerate() {
        let vendor = format!("team{i}");
        app.create_vendor(&vendor).await;
        app.chaos(&vendor, json!({"mode": mode, "start": "now"})).await;
        let text = report(&app, &end(&app, &vendor).await).await;
        let prevention = text.split("## Prevention").nth(1).unwrap();
        assert!(prevention.contains(lesson), "{mode}: {prevention}");
    }
}

#[tokio::test]
async fn with_a_bitcoin_rate_the_real_incident_costs_dollars_too() {
    let app = spawn_with(|c| c.btc_usd = Some(96_619.10)).await;
    let (_, incident) = replay_real_incident(&app).await;
    assert_eq!(incident["stats"]["lostRevenue"], 0.4);
    assert_eq!(incident["stats"]["lostRevenueUsd"], 38_647.64);
    let (_, list) = app.admin(Method::GET, "/api/admin/incidents", None).await;
    assert_eq!(list[0]["stats"]["lostRevenueUsd"], 38_647.64);
    let text = report(&app, &incident).await;
    has(
        &text,
        &[
            "about 0.4 ₿ ($38,647.64) of revenue",
            "- Financial impact: 0.4 ₿ ($38,647.64)",
        ],
    );

    let plain = spawn_app().await;
    let (_, incident) = replay_real_incident(&plain).await;
    assert!(incident["stats"].get("lostRevenueUsd").is_none(), "{incident}");
    lacks(&report(&plain, &incident).await, &["$"]);
}

#[test]
fn the_drill_command_prices_the_real_incident_in_dollars() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
        .args(["drill", "scenarios/2024-11-27-factory-fail.toml", "--seed", "1"])
        .env("FACTORY_BTC_USD", "96619.10")
        .output()
        .expect("binary runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    has(
        &text,
        &["0.4 ₿ ($38,647.64)", "8 minutes 28 seconds", "8 of 8 attempted (100%)"],
    );
}
