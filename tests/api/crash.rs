//! Crash safety: SIGKILL at random points of a busy factory; whatever it acknowledged survives,
//! and incident counters never go backwards.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::order_body;
use crate::process::start;

const ADMIN: &str = "crash-test-admin-key-0123456789abcdef012345";

#[derive(Default)]
struct Acknowledged {
    vendors: Vec<(String, String)>,
    incidents: HashMap<String, String>,
    /// The open incident of each vendor (a vendor has at most one).
    open: HashMap<String, String>,
    resolved: Vec<String>,
    /// Highest counters a read returned per incident (reads flush first, so they were stored).
    seen: HashMap<String, (u64, u64)>,
}

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> Option<(StatusCode, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.ok()?;
        let status = res.status();
        Some((status, res.json().await.unwrap_or(Value::Null)))
    }
}

/// Creates vendors, schedules and resolves chaos, and orders, until the deadline.
async fn workload(c: &Client, ack: &mut Acknowledged, rng: &mut StdRng, round: usize, until: Instant) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        match rng.random_range(0..10) {
            0..=1 => {
                let id = format!("r{round}v{n}");
                let body = json!({"id": id, "name": "crash"});
                if let Some((StatusCode::CREATED, v)) = c
                    .send(reqwest::Method::POST, "/api/admin/vendors", ADMIN, Some(body))
                    .await
                {
                    ack.vendors.push((id, v["apiKey"].as_str().unwrap().to_owned()));
                }
            }
            2 if !ack.vendors.is_empty() => {
                let (id, _) = &ack.vendors[rng.random_range(0..ack.vendors.len())];
                let body = json!({"mode": "flaky", "start": "now", "params": {"everyNth": 2}});
                if let Some((StatusCode::CREATED, inc)) = c
                    .send(
                        reqwest::Method::POST,
                        &format!("/api/admin/vendors/{id}/chaos"),
                        ADMIN,
                        Some(body),
                    )
                    .await
                {
                    let incident = inc["id"].as_str().unwrap().to_owned();
                    ack.incidents.insert(incident.clone(), id.clone());
                    ack.open.insert(id.clone(), incident);
                }
            }
            3 if !ack.incidents.is_empty() => {
                let ids: Vec<&String> = ack.incidents.keys().collect();
                let id = ids[rng.random_range(0..ids.len())].clone();
                if let Some((StatusCode::OK, inc)) = c
                    .send(reqwest::Method::GET, &format!("/api/admin/incidents/{id}"), ADMIN, None)
                    .await
                {
                    let s = &inc["stats"];
                    let now = (
                        s["ordersAffected"].as_u64().unwrap(),
                        s["ordersFailed"].as_u64().unwrap(),
                    );
                    let seen = ack.seen.entry(id).or_default();
                    *seen = (seen.0.max(now.0), seen.1.max(now.1));
                }
            }
            _ if !ack.vendors.is_empty() => {
                let (_, key) = ack.vendors[rng.random_range(0..ack.vendors.len())].clone();
                if let Some((_, body)) = c
                    .send(reqwest::Method::POST, "/api/order", &key, Some(order_body(&[0.1])))
                    .await
                    && let Some(url) = body["reportUrl"].as_str()
                    && rng.random_range(0..8) == 0
                    && let Ok(res) = c.http.post(url).send().await
                    && res.status() == StatusCode::OK
                    && res
                        .json::<Value>()
                        .await
                        .ok()
                        .is_some_and(|m| m["message"] == "Problem resolved. Pizza is back on the menu!")
                {
                    let vendor = url.split("/api/support/").nth(1).unwrap().split('/').next().unwrap();
                    ack.resolved.extend(ack.open.remove(vendor));
                }
            }
            _ => {}
        }
    }
}

async fn check(c: &Client, ack: &Acknowledged) {
    for (id, key) in &ack.vendors {
        let (status, _) = c
            .send(reqwest::Method::GET, &format!("/api/admin/vendors/{id}"), ADMIN, None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "acknowledged vendor {id} lost");
        let (status, _) = c.send(reqwest::Method::GET, "/api/vendor", key, None).await.unwrap();
        assert_eq!(status, StatusCode::OK, "acknowledged key of {id} lost");
    }
    for id in ack.incidents.keys() {
        let (status, inc) = c
            .send(reqwest::Method::GET, &format!("/api/admin/incidents/{id}"), ADMIN, None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK, "acknowledged incident {id} lost");
        if let Some((affected, failed)) = ack.seen.get(id) {
            assert!(
                inc["stats"]["ordersAffected"].as_u64().unwrap() >= *affected,
                "ordersAffected went backwards: {inc}"
            );
            assert!(
                inc["stats"]["ordersFailed"].as_u64().unwrap() >= *failed,
                "ordersFailed went backwards: {inc}"
            );
        }
    }
    for id in &ack.resolved {
        let (_, inc) = c
            .send(reqwest::Method::GET, &format!("/api/admin/incidents/{id}"), ADMIN, None)
            .await
            .unwrap();
        assert_eq!(inc["state"], "resolved", "an acknowledged resolution was lost: {inc}");
    }
}

#[tokio::test]
async fn acknowledged_state_survives_sigkill_at_random_points() {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_241_127u64);
    println!("crash test seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut ack = Acknowledged::default();
    for round in 0..6 {
        let mut factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
        let c = Client {
            http: reqwest::Client::new(),
            url: factory.url.clone(),
        };
        check(&c, &ack).await;
        let run_for = Duration::from_millis(rng.random_range(150..700));
        workload(&c, &mut ack, &mut rng, round, Instant::now() + run_for).await;
        factory.kill9();
    }
    let factory = start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN)]);
    let c = Client {
        http: reqwest::Client::new(),
        url: factory.url.clone(),
    };
    check(&c, &ack).await;
    println!(
        "{} vendors, {} incidents, {} resolved",
        ack.vendors.len(),
        ack.incidents.len(),
        ack.resolved.len()
    );
    assert!(
        ack.vendors.len() >= 5 && !ack.incidents.is_empty() && !ack.resolved.is_empty(),
        "the workload did real work"
    );
}
