//! Webhooks told of real events (issue 14): a chaos life reaches a receiver signed, with the
//! seq `GET /api/admin/events` gives, one delivery id per event across retries; and the
//! deliveries of a factory killed with SIGKILL while its receiver is down arrive after restart.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use pizza_factory::domain::webhook::EVENT_TYPES;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::events::all_events;
use crate::helpers::{TestApp, spawn_with};
use crate::process::{create_vendor, post, start};
use crate::receiver::{Received, Receiver, deliveries, register};

const ADMIN: &str = "webhook-events-admin-key-0123456789abcdef01";

/// Moves the clock past every backoff until the webhook's `n` deliveries are all delivered.
async fn all_delivered(app: &TestApp, id: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = deliveries(app, id).await;
        if log.len() == n && log.iter().all(|d| d["state"] == "delivered") {
            return log;
        }
        assert!(Instant::now() < deadline, "not all delivered: {log:?}");
        app.advance(5);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The deliveries received, by delivery id.
fn by_delivery(got: &[Received]) -> BTreeMap<String, Vec<&Received>> {
    let mut by_id: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
    for r in got {
        by_id.entry(r.delivery.clone()).or_default().push(r);
    }
    by_id
}

/// Each received attempt is signed with `secret`, names its event's type and carries the event
/// JSON exactly as the events API gives it; the seqs of the events received.
fn check_bodies(got: &[Received], secret: &str, events: &[Value]) -> BTreeSet<i64> {
    let mut seqs = BTreeSet::new();
    for r in got {
        r.verify(secret);
        let body: Value = serde_json::from_str(&r.body).unwrap();
        let seq = body["seq"].as_i64().unwrap_or_else(|| panic!("no seq: {body}"));
        let event = events
            .iter()
            .find(|e| e["seq"] == seq)
            .unwrap_or_else(|| panic!("a delivery of no event: {body}"));
        assert_eq!(&body, event, "the body is the event JSON");
        assert_eq!(r.event, event["type"].as_str().unwrap());
        seqs.insert(seq);
    }
    seqs
}

#[tokio::test]
async fn a_chaos_life_reaches_a_receiver_signed_with_its_seqs_and_one_id_per_event() {
    let app = spawn_with(|c| c.webhook_allow_private = true).await;
    let receiver = Receiver::start(&[500, 500]).await;
    let subscribed = ["chaos.scheduled", "chaos.started", "chaos.resolved"];
    let (id, secret) = register(&app, json!({"url": receiver.url, "events": subscribed})).await;
    let slack = Receiver::start(&[]).await;
    let slack_hook = json!({"url": slack.url, "events": ["chaos.resolved"], "format": "slack"});
    let (_, slack_secret) = register(&app, slack_hook).await;

    let key = app.create_vendor("a").await;
    let incident = app.chaos("a", json!({"mode": "fail", "start": "now"})).await;
    let (status, body) = app.order_json(&key, &[0.05]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let report = body["reportUrl"].as_str().unwrap().to_owned();
    assert_eq!(app.client.get(&report).send().await.unwrap().status(), StatusCode::OK);

    let events: Vec<Value> = all_events(&app, 0, 100)
        .await
        .into_iter()
        .filter(|e| subscribed.contains(&e["type"].as_str().unwrap()))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, subscribed, "first_failure and vendor.created are not subscribed");
    let log = all_delivered(&app, &id, events.len()).await;

    let got = receiver.received();
    assert_eq!(got.len(), events.len() + 2, "the two 500s retried, nothing else");
    let seqs = check_bodies(&got, &secret, &events);
    assert_eq!(seqs.len(), events.len(), "every subscribed event arrived");
    let by_id = by_delivery(&got);
    assert_eq!(by_id.len(), events.len(), "one delivery id per event");
    assert!(by_id.values().any(|tries| tries.len() > 1), "a retry kept its id");
    for (delivery, tries) in &by_id {
        assert!(
            tries.iter().all(|t| t.body == tries[0].body),
            "retries send the same body"
        );
        let logged = log.iter().find(|d| d["id"] == delivery.as_str()).unwrap();
        let body: Value = serde_json::from_str(&tries[0].body).unwrap();
        assert_eq!(logged["eventSeq"], body["seq"], "the log and the body name one event");
    }

    let line = slack.wait_for(1).await[0].clone();
    line.verify(&slack_secret);
    let text: Value = serde_json::from_str(&line.body).unwrap();
    let text = text["text"].as_str().unwrap();
    assert!(text.starts_with("Chaos resolved for a (fail)"), "{text}");
    let link = format!("{}/admin/incidents/{}", app.url, incident["id"].as_str().unwrap());
    assert!(text.ends_with(&link), "{text}");
}

/// Every event through the admin API of a factory process.
async fn events_of(http: &reqwest::Client, url: &str) -> Vec<Value> {
    let page: Value = http
        .get(format!("{url}/api/admin/events?after=0&limit=1000"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["events"].as_array().unwrap().clone()
}

fn after(events: Vec<Value>, seq: i64) -> Vec<Value> {
    events.into_iter().filter(|e| e["seq"].as_i64() > Some(seq)).collect()
}

fn last_seq(events: &[Value]) -> i64 {
    events.last().map_or(0, |e| e["seq"].as_i64().unwrap())
}

#[tokio::test]
async fn deliveries_survive_sigkill_while_the_receiver_is_down() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on until the receiver comes up there after the crash.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = [("FACTORY_ADMIN_KEY", ADMIN), ("FACTORY_WEBHOOK_ALLOW_PRIVATE", "1")];
    let mut factory = start(dir.path(), &env);
    let (http, url) = (reqwest::Client::new(), factory.url.clone());
    let hook = json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": EVENT_TYPES});
    let created: Value = post(&http, &format!("{url}/api/admin/webhooks"), ADMIN, hook)
        .await
        .json()
        .await
        .unwrap();
    let (id, secret) = (created["id"].as_str().unwrap(), created["secret"].as_str().unwrap());
    // What happened before the webhook existed is not its to hear of.
    let before = last_seq(&events_of(&http, &url).await);

    let key = create_vendor(&http, &url, ADMIN, "a").await;
    create_vendor(&http, &url, ADMIN, "b").await;
    let chaos = json!({"mode": "fail", "start": "now"});
    let res = post(&http, &format!("{url}/api/admin/vendors/a/chaos"), ADMIN, chaos).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let failed: Value = post(
        &http,
        &format!("{url}/api/order"),
        &key,
        crate::helpers::order_body(&[0.05]),
    )
    .await
    .json()
    .await
    .unwrap();
    let report = failed["reportUrl"].as_str().unwrap();
    assert_eq!(http.get(report).send().await.unwrap().status(), StatusCode::OK);

    // Every delivery so far has failed at least once against the receiver that is down.
    // vendor.created twice, chaos scheduled, started, resolved, and first_failure, which the
    // counters' flush records a moment later.
    let made = 6;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log: Vec<Value> = http
            .get(format!("{url}/api/admin/webhooks/{id}/deliveries"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let happened = after(events_of(&http, &url).await, before).len();
        if happened == made && log.len() == made && log.iter().all(|d| d["attempts"].as_u64() >= Some(1)) {
            assert!(log.iter().all(|d| d["state"] == "pending" && d["lastStatus"].is_null()));
            break;
        }
        assert!(Instant::now() < deadline, "not all attempted: {log:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // One more, acknowledged just before the crash: likely never attempted.
    let rotated = http
        .request(Method::POST, format!("{url}/api/admin/vendors/b/apikey"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), StatusCode::OK);
    factory.kill9();

    let receiver = Receiver::start_on(port, &[]).await;
    let factory = start(dir.path(), &env);
    let events = after(events_of(&http, &factory.url).await, before);
    assert_eq!(events.len(), made + 1);
    // A delivery claimed at the very moment of the kill waits out its claim (60 s) first.
    receiver.wait_longer(events.len(), Duration::from_secs(90)).await;
    // Time for anything else to arrive, had anything else been enqueued.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = receiver.received();
    let seqs = check_bodies(&got, secret, &events);
    let happened: BTreeSet<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, happened, "exactly the events that happened, each at least once");
    for tries in by_delivery(&got).values() {
        assert!(tries.iter().all(|t| t.body == tries[0].body), "one delivery, one event");
    }
    assert_eq!(by_delivery(&got).len(), events.len(), "one delivery id per event");
}
