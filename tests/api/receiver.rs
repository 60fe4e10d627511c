//! A webhook receiver on 127.0.0.1, port 0: records every delivery and answers from a script
//! (500, 500, 200...; 200 once the script runs out), or redirects.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use pizza_factory::webhooks::HookEvent;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::TestApp;

#[derive(Clone, Debug)]
pub struct Received {
    pub event: String,
    pub delivery: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    /// Checks `X-Factory-Signature` against `secret` with an HMAC of our own; returns its `t`.
    pub fn verify(&self, secret: &str) -> i64 {
        let (t, v1) = self
            .signature
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .unwrap_or_else(|| panic!("malformed signature {}", self.signature));
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", self.body).as_bytes());
        let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(v1, expected, "signature does not verify");
        t.parse().unwrap()
    }
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
    location: Mutex<Option<String>>,
    delay: Mutex<Duration>,
}

pub struct Receiver {
    pub url: String,
    state: Arc<State>,
}

impl Receiver {
    /// Answers `script` in order, then 200.
    pub async fn start(script: &[u16]) -> Self {
        Self::start_on(0, script).await
    }

    /// The same on `port` (0: any free one), so a receiver that was down can come up where a
    /// webhook already points.
    pub async fn start_on(port: u16, script: &[u16]) -> Self {
        let state = Arc::new(State::default());
        state.script.lock().unwrap().extend(script);
        let data = web::Data::from(state.clone());
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(receive)))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
        tokio::spawn(server);
        Self { url, state }
    }

    /// Every answer becomes a 302 to `location`.
    pub fn redirect_to(&self, location: &str) {
        *self.state.location.lock().unwrap() = Some(location.to_owned());
    }

    /// Every answer waits this long first.
    pub fn delay(&self, by: Duration) {
        *self.state.delay.lock().unwrap() = by;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits (real time, 15 s at most) until `n` deliveries have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_longer(n, Duration::from_secs(15)).await
    }

    /// Waits (real time, `at_most`) until `n` deliveries have arrived.
    pub async fn wait_longer(&self, n: usize, at_most: Duration) -> Vec<Received> {
        let deadline = Instant::now() + at_most;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "{} deliveries arrived, not {n}", got.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(req: HttpRequest, body: String, state: web::Data<State>) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.received.lock().unwrap().push(Received {
        event: header("x-factory-event"),
        delivery: header("x-factory-delivery"),
        signature: header("x-factory-signature"),
        body,
    });
    let delay = *state.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(location) = state.location.lock().unwrap().clone() {
        return HttpResponse::Found().insert_header(("location", location)).finish();
    }
    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

/// Registers a webhook through the API; its id and secret.
pub async fn register(app: &TestApp, body: Value) -> (String, String) {
    let (status, created) = app.admin(Method::POST, "/api/admin/webhooks", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

/// Enqueues deliveries of a hand-made event (no event row) through the store.
pub async fn enqueue(app: &TestApp, seq: i64, kind: &str) -> u64 {
    enqueue_at(app, seq, kind, app.clock_now()).await
}

/// The same for an event recorded at `at`.
pub async fn enqueue_at(app: &TestApp, seq: i64, kind: &str, at: chrono::DateTime<chrono::Utc>) -> u64 {
    let event = json!({"seq": seq, "type": kind, "at": "2026-12-01T19:00:00.000Z", "vendorId": "team9",
        "incidentId": "c0ffee00-0000-4000-8000-000000000000", "detail": {"mode": "fail"}});
    let hook = HookEvent {
        seq: Some(seq),
        kind: kind.to_owned(),
        at,
        json: event.to_string(),
    };
    app.factory.store.webhooks().enqueue(&hook).await.unwrap()
}

/// The webhook's delivery log through the API.
pub async fn deliveries(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, log) = app
        .admin(Method::GET, &format!("/api/admin/webhooks/{id}/deliveries"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    log.as_array().unwrap().clone()
}

/// Waits (real time, 15 s at most) until the first delivery of the log has made `attempts`.
pub async fn attempted(app: &TestApp, id: &str, attempts: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = deliveries(app, id).await;
        if let Some(d) = log.first().filter(|d| d["attempts"].as_u64() >= Some(attempts)) {
            return d.clone();
        }
        assert!(Instant::now() < deadline, "no attempt {attempts}: {log:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
