//! The test harness: a real factory on port 0 with a fresh temp store and a manual clock.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::web;
use chrono::{DateTime, Duration, TimeZone, Utc};
use pizza_factory::chaos::scheduler;
use pizza_factory::clock::{Clock, ManualClock};
use pizza_factory::config::Config;
use pizza_factory::factory::Factory;
use pizza_factory::random::Draws;
use pizza_factory::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::task::JoinHandle;

pub const ADMIN_KEY: &str = "test-admin-key-0123456789abcdef0123456789abcdef";

pub struct TestApp {
    pub url: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub factory: web::Data<Factory>,
    pub config: Config,
    handle: ServerHandle,
    served: Option<JoinHandle<std::io::Result<()>>>,
    dir: Arc<TempDir>,
}

/// A winter Tuesday noon in Denver, so windows and reports read in MST.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut config = Config::for_data_dir(dir.path().join("data"));
    config.database_url = crate::backend::store_url(&config.data_dir);
    config.admin_key = Some(ADMIN_KEY.into());
    config.workers = Some(2);
    config.shutdown_timeout_secs = 1;
    tweak(&mut config);
    start(config, dir, Arc::new(ManualClock::new(t0()))).await
}

async fn start(config: Config, dir: Arc<TempDir>, clock: Arc<ManualClock>) -> TestApp {
    let app = Application::build(config.clone(), clock.clone(), Arc::new(Draws::seeded(7)))
        .await
        .expect("factory starts");
    let url = format!("http://127.0.0.1:{}", app.port());
    let factory = app.factory();
    let handle = app.handle();
    let served = tokio::spawn(app.run_until_stopped());
    TestApp {
        url,
        client: reqwest::Client::new(),
        clock,
        factory,
        config,
        handle,
        served: Some(served),
        dir,
    }
}

pub fn order_body(prices: &[f64]) -> Value {
    let items: Vec<Value> = prices
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"menuId": i + 1, "description": "Veggie", "price": p}))
        .collect();
    json!({"diner": {"id": 719, "name": "j", "email": "j@jwt.com"}, "order": {"items": items, "storeId": "5", "franchiseId": 4, "id": 278}})
}

impl TestApp {
    /// Stops the server (in-flight requests finish) and starts a new one on the same store.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// Restarts with a changed configuration on the same store.
    pub async fn restart_with(mut self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        self.stop().await;
        let mut config = self.config.clone();
        config.port = 0;
        tweak(&mut config);
        start(config, self.dir.clone(), self.clock.clone()).await
    }

    /// Another instance on the same store and clock (for PostgreSQL; SQLite stores are one
    /// process's alone).
    pub async fn another_instance(&self) -> TestApp {
        let mut config = self.config.clone();
        config.port = 0;
        start(config, self.dir.clone(), self.clock.clone()).await
    }

    pub async fn stop(&mut self) {
        self.handle.stop(true).await;
        if let Some(served) = self.served.take() {
            served.await.unwrap().unwrap();
        }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(Duration::seconds(secs));
    }

    /// One scheduler step at the current manual time.
    pub async fn tick(&self) {
        scheduler::tick(&self.factory, self.clock.now()).await.unwrap();
    }

    pub async fn call(&self, method: Method, path: &str, key: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.url));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request sent")
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let res = self.call(method, path, key, body).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.json(method, path, Some(ADMIN_KEY), body).await
    }

    /// Creates a vendor and returns its API key.
    pub async fn create_vendor(&self, id: &str) -> String {
        let (status, body) = self
            .admin(
                Method::POST,
                "/api/admin/vendors",
                Some(json!({"id": id, "name": format!("Vendor {id}")})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["apiKey"].as_str().unwrap().to_owned()
    }

    pub async fn order(&self, key: &str) -> Response {
        self.call(Method::POST, "/api/order", Some(key), Some(order_body(&[0.05])))
            .await
    }

    pub async fn order_json(&self, key: &str, prices: &[f64]) -> (StatusCode, Value) {
        self.json(Method::POST, "/api/order", Some(key), Some(order_body(prices)))
            .await
    }

    pub async fn verify(&self, jwt: &str) -> (StatusCode, Value) {
        self.json(Method::POST, "/api/order/verify", None, Some(json!({ "jwt": jwt })))
            .await
    }

    /// Schedules chaos through the admin API and returns the incident.
    pub async fn chaos(&self, vendor: &str, body: Value) -> Value {
        let (status, incident) = self
            .admin(Method::POST, &format!("/api/admin/vendors/{vendor}/chaos"), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{incident}");
        incident
    }

    pub async fn incident(&self, id: &str) -> Value {
        let (status, body) = self
            .admin(Method::GET, &format!("/api/admin/incidents/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// The incident's timeline event kinds, in order.
pub fn kinds(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

pub fn fix_code(report_url: &str) -> String {
    report_url.rsplit('/').next().unwrap().to_owned()
}
