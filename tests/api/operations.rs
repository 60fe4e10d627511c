//! Operations: metrics, request ids, and the limits that keep one client from hurting others.

use std::io::{Read, Write};
use std::time::Duration as StdDuration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ADMIN_KEY, TestApp, order_body, spawn_app, spawn_with};

async fn metrics(app: &TestApp, token: &str) -> (StatusCode, String) {
    let res = app.call(Method::GET, "/metrics", Some(token), None).await;
    (res.status(), res.text().await.unwrap())
}

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in\n{text}"))
}

#[tokio::test]
async fn metrics_need_a_credential_and_never_name_a_scheduled_vendor() {
    let app = spawn_with(|c| c.metrics_token = Some("scrape-token-for-prometheus".into())).await;
    let key = app.create_vendor("active-team").await;
    app.create_vendor("secret-schedule").await;
    assert_eq!(metrics(&app, "nope").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(metrics(&app, &key).await.0, StatusCode::FORBIDDEN);
    assert_eq!(metrics(&app, "scrape-token-for-prometheus").await.0, StatusCode::OK);

    app.chaos(
        "secret-schedule",
        json!({"mode": "fail", "start": (app.clock_now() + chrono::Duration::hours(1)).to_rfc3339()}),
    )
    .await;
    app.chaos("active-team", json!({"mode": "fail", "start": "now"})).await;
    let (_, body) = app.order_json(&key, &[1.0]).await;
    app.advance(90);
    app.client
        .get(body["reportUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(app.order(&key).await.status(), StatusCode::OK);
    }
    app.tick().await;
    let (status, text) = metrics(&app, ADMIN_KEY).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !text.contains("secret-schedule"),
        "a scheduled chaos is never attributed:\n{text}"
    );
    assert_eq!(value(&text, "factory_chaos_scheduled"), 1.0);
    assert_eq!(value(&text, "factory_chaos_active"), 0.0);
    assert_eq!(
        value(
            &text,
            r#"factory_http_requests_total{method="POST",route="/api/order",status="200"}"#
        ),
        3.0
    );
    assert_eq!(value(&text, r#"factory_tickets_signed_total{alg="EdDSA"}"#), 3.0);
    assert_eq!(
        value(
            &text,
            r#"factory_chaos_responses_total{mode="fail",vendor="active-team"}"#
        ),
        1.0
    );
    assert_eq!(value(&text, r#"factory_incidents_resolved_total{by="report"}"#), 1.0);
    assert_eq!(value(&text, "factory_incident_seconds_to_resolve_count"), 1.0);
    assert_eq!(value(&text, "factory_incident_seconds_to_resolve_sum"), 90.0);
    assert_eq!(value(&text, "factory_scheduler_lag_seconds_count"), 1.0);
    assert!(
        value(
            &text,
            r#"factory_store_operation_duration_seconds_count{op="create_incident"}"#
        ) >= 2.0
    );
    assert!(text.contains("factory_http_request_duration_seconds_bucket"));
    assert_eq!(value(&text, "factory_throttled_in_flight"), 0.0);
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let app = spawn_app().await;
    let a = app.call(Method::GET, "/healthz", None, None).await;
    let b = app.call(Method::GET, "/nope", None, None).await;
    let (a, b) = (a.headers()["x-request-id"].clone(), b.headers()["x-request-id"].clone());
    assert!(!a.is_empty());
    assert_ne!(a, b);
}

#[tokio::test]
async fn throttle_caps_answer_at_once_beyond_them() {
    let app = spawn_with(|c| {
        c.max_throttled_per_vendor = 3;
        c.max_throttled_total = 4;
    })
    .await;
    let a = app.create_vendor("a").await;
    let b = app.create_vendor("b").await;
    for v in ["a", "b"] {
        app.chaos(
            v,
            json!({"mode": "throttle", "start": "now", "params": {"delayMs": 60000}}),
        )
        .await;
    }
    let client = reqwest::Client::new();
    let mut parked = Vec::new();
    for key in [&a, &a, &a, &b] {
        let req = client
            .post(format!("{}/api/order", app.url))
            .bearer_auth(key)
            .json(&order_body(&[1.0]));
        parked.push(tokio::spawn(req.send()));
    }
    // Wait until all four hold a throttle place; the gauge says so.
    let deadline = std::time::Instant::now() + StdDuration::from_secs(10);
    while value(&metrics(&app, ADMIN_KEY).await.1, "factory_throttled_in_flight") < 4.0 {
        assert!(std::time::Instant::now() < deadline, "throttled orders never arrived");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    for key in [&a, &b] {
        let res = tokio::time::timeout(StdDuration::from_secs(10), app.order(key))
            .await
            .expect("answered at once");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().contains_key("x-chaos-report"));
    }
    let text = metrics(&app, ADMIN_KEY).await.1;
    assert_eq!(value(&text, "factory_throttle_overflow_total"), 2.0);
    assert!(parked.iter().all(|p| !p.is_finished()));
    app.advance(60);
    for p in parked {
        assert_eq!(p.await.unwrap().unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        value(&metrics(&app, ADMIN_KEY).await.1, "factory_throttled_in_flight"),
        0.0
    );
}

#[tokio::test]
async fn report_calls_per_address_are_capped() {
    let app = spawn_with(|c| c.report_calls_per_minute = 5).await;
    for _ in 0..5 {
        let res = app.call(Method::GET, "/api/support/anyone/report/x", None, None).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app.call(Method::POST, "/api/support/other/report/y", None, None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    app.advance(60);
    assert_eq!(
        app.call(Method::GET, "/api/support/anyone/report/x", None, None)
            .await
            .status(),
        StatusCode::OK
    );
}

fn raw(port: u16, request: &[u8], pause: StdDuration) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(StdDuration::from_secs(10))).unwrap();
    stream.write_all(request).unwrap();
    std::thread::sleep(pause);
    let mut out = String::new();
    let _ = stream.read_to_string(&mut out);
    out
}

#[tokio::test]
async fn slow_clients_and_huge_headers_are_cut_off() {
    let app = spawn_with(|c| c.client_timeout_ms = 1500).await;
    let port: u16 = app.url.rsplit(':').next().unwrap().parse().unwrap();
    // actix keeps a coarse clock, so the timeout is not shorter than a second here.
    // A client that never finishes its request head is answered 408, not waited on.
    let slow =
        tokio::task::spawn_blocking(move || raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", StdDuration::ZERO));
    let answer = tokio::time::timeout(StdDuration::from_secs(10), slow)
        .await
        .expect("cut off")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let answer = tokio::task::spawn_blocking(move || raw(port, huge.as_bytes(), StdDuration::ZERO))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status(),
        StatusCode::OK
    );
}
