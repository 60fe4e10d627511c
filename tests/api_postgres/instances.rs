//! Three factory processes on one PostgreSQL database behave as one factory: whatever is done
//! through one instance holds on all within a second, and exactly-once things happen once.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DurationRound, Utc};
use futures_util::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{ADMIN_KEY, kinds, order_body};
use crate::process::{self, Factory};

/// The bound on propagation between instances.
const PROPAGATION: Duration = Duration::from_secs(1);

pub struct Cluster {
    pub instances: Vec<Factory>,
    pub client: Client,
    _dir: TempDir,
}

/// Starts three instances on one fresh database (one data dir, hence one test database).
pub fn cluster() -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let instances = (0..3)
        .map(|_| process::start(dir.path(), &[("FACTORY_ADMIN_KEY", ADMIN_KEY), ("RUST_LOG", "info")]))
        .collect();
    Cluster {
        instances,
        client: Client::new(),
        _dir: dir,
    }
}

impl Cluster {
    /// Kills instance `i` (SIGKILL) and starts it again on the same database.
    pub fn restart(&mut self, i: usize) {
        self.instances[i].kill9();
        self.instances[i] = process::start(
            self._dir.path(),
            &[("FACTORY_ADMIN_KEY", ADMIN_KEY), ("RUST_LOG", "info")],
        );
    }

    pub fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.instances[i].url)
    }

    pub async fn admin(
        &self,
        i: usize,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(i, path)).bearer_auth(ADMIN_KEY);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        (res.status(), res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_admin(&self, i: usize, path: &str, body: Value) -> (StatusCode, Value) {
        self.admin(i, reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn create_vendor(&self, i: usize, id: &str) -> String {
        let (status, body) = self
            .post_admin(i, "/api/admin/vendors", json!({"id": id, "name": id}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["apiKey"].as_str().unwrap().to_owned()
    }

    /// Creates a vendor through instance `i` and waits until every instance serves it.
    pub async fn vendor_everywhere(&self, i: usize, id: &str) -> String {
        let key = self.create_vendor(i, id).await;
        for i in 0..self.instances.len() {
            let key = &key;
            self.eventually(i, PROPAGATION, "new vendor served", |i| {
                self.order_is(i, key, StatusCode::OK)
            })
            .await;
        }
        key
    }

    pub async fn order(&self, i: usize, key: &str) -> StatusCode {
        self.client
            .post(self.url(i, "/api/order"))
            .bearer_auth(key)
            .json(&order_body(&[0.25]))
            .send()
            .await
            .unwrap()
            .status()
    }

    pub async fn order_is(&self, i: usize, key: &str, want: StatusCode) -> bool {
        self.order(i, key).await == want
    }

    pub async fn incident(&self, i: usize, id: &str) -> Value {
        let (status, body) = self
            .admin(i, reqwest::Method::GET, &format!("/api/admin/incidents/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Polls `check` on instance `i` until it holds; fails if that takes longer than `within`.
    pub async fn eventually<F, Fut>(&self, i: usize, within: Duration, what: &str, check: F)
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = bool>,
    {
        let deadline = Instant::now() + within;
        while !check(i).await {
            assert!(Instant::now() < deadline, "instance {i}: {what} not within {within:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

#[tokio::test]
async fn vendors_and_keys_changed_on_one_instance_hold_on_all_within_a_second() {
    let c = cluster();
    let key = c.create_vendor(0, "v").await;
    for i in 0..3 {
        c.eventually(i, PROPAGATION, "new vendor served", |i| {
            c.order_is(i, &key, StatusCode::OK)
        })
        .await;
    }
    let (status, body) = c.post_admin(1, "/api/admin/vendors/v/apikey", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let new_key = body["apiKey"].as_str().unwrap().to_owned();
    for i in 0..3 {
        c.eventually(i, PROPAGATION, "rotated key refused", |i| {
            c.order_is(i, &key, StatusCode::UNAUTHORIZED)
        })
        .await;
        c.eventually(i, PROPAGATION, "new key served", |i| {
            c.order_is(i, &new_key, StatusCode::OK)
        })
        .await;
    }
    // A ticket signed with a key rotated in on one instance verifies on the others.
    let (status, _) = c.post_admin(2, "/api/admin/keys/rotate", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let res = c
        .client
        .post(c.url(2, "/api/order"))
        .bearer_auth(&new_key)
        .json(&order_body(&[1.0]))
        .send()
        .await
        .unwrap();
    let jwt = res.json::<Value>().await.unwrap()["jwt"].clone();
    for i in 0..3 {
        let jwt = jwt.clone();
        c.eventually(i, PROPAGATION, "ticket of a rotated key verified", |i| {
            let req = c
                .client
                .post(c.url(i, "/api/order/verify"))
                .json(&json!({ "jwt": jwt }));
            async move { req.send().await.unwrap().status() == StatusCode::OK }
        })
        .await;
    }
}

/// Schedules `mode` chaos through instance `i` at the next whole second at least `lead` away.
async fn chaos_soon(c: &Cluster, i: usize, vendor: &str, lead: Duration) -> (String, chrono::DateTime<Utc>) {
    let start = (Utc::now() + lead)
        .duration_trunc(chrono::Duration::seconds(1))
        .unwrap()
        + chrono::Duration::seconds(1);
    let (status, incident) = c
        .post_admin(
            i,
            &format!("/api/admin/vendors/{vendor}/chaos"),
            json!({"mode": "fail", "start": start.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    (incident["id"].as_str().unwrap().to_owned(), start)
}

async fn sleep_until(t: chrono::DateTime<Utc>) {
    if let Ok(left) = (t - Utc::now()).to_std() {
        tokio::time::sleep(left).await;
    }
}

#[tokio::test]
async fn chaos_bites_on_every_instance_and_its_fix_code_works_once() {
    let c = cluster();
    let key = c.vendor_everywhere(0, "v").await;
    let (id, start) = chaos_soon(&c, 0, "v", Duration::from_millis(1500)).await;
    for i in 0..3 {
        assert_eq!(c.order(i, &key).await, StatusCode::OK, "unannounced on instance {i}");
    }
    sleep_until(start).await;
    for i in [2, 1, 0] {
        assert_eq!(
            c.order(i, &key).await,
            StatusCode::INTERNAL_SERVER_ERROR,
            "instance {i} bites from the start second"
        );
    }
    let res = c
        .client
        .post(c.url(1, "/api/order"))
        .bearer_auth(&key)
        .json(&order_body(&[1.0]))
        .send()
        .await
        .unwrap();
    let report: Value = res.json().await.unwrap();
    let path = report["reportUrl"]
        .as_str()
        .unwrap()
        .split_once("/api/")
        .unwrap()
        .1
        .to_owned();
    // The same report URL on all three instances at once: exactly one resolves the incident.
    let answers = join_all((0..3).map(|i| {
        let req = c.client.post(c.url(i, &format!("/api/{path}")));
        async move { req.send().await.unwrap().json::<Value>().await.unwrap()["message"].clone() }
    }))
    .await;
    let resolved = answers
        .iter()
        .filter(|m| *m == "Problem resolved. Pizza is back on the menu!")
        .count();
    assert_eq!(resolved, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|m| m == "Problem resolved. Pizza is back on the menu!" || m == "No chaos currently executing")
    );
    for i in 0..3 {
        c.eventually(i, PROPAGATION, "chaos stopped", |i| c.order_is(i, &key, StatusCode::OK))
            .await;
    }
    let incident = c.incident(2, &id).await;
    assert_eq!(
        (incident["state"].clone(), incident["resolvedBy"].clone()),
        (json!("resolved"), json!("report"))
    );
    let started = kinds(&incident).iter().filter(|k| *k == "started").count();
    assert_eq!(started, 1, "the start is recorded once: {incident}");
    assert_eq!(kinds(&incident).iter().filter(|k| *k == "resolved").count(), 1);
}

#[tokio::test]
async fn the_start_is_recorded_once_whichever_instances_are_up() {
    let mut c = cluster();
    c.create_vendor(0, "v").await;
    let (id, start) = chaos_soon(&c, 0, "v", Duration::from_millis(1500)).await;
    // The instance that scheduled the chaos dies before it starts; the others record the start.
    c.instances[0].kill9();
    sleep_until(start).await;
    let (c, id) = (&c, &id);
    c.eventually(1, Duration::from_secs(2), "start recorded", |i| async move {
        c.incident(i, id).await["state"] == "active"
    })
    .await;
    // Every surviving instance has had several ticks past the start by now.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let incident = c.incident(2, id).await;
    assert_eq!(
        kinds(&incident).iter().filter(|k| *k == "started").count(),
        1,
        "{incident}"
    );
    assert_eq!(
        incident["startedAt"],
        json!(start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    );
}
