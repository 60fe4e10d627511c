//! How long a change made through instance A takes to show on instance B (`bench/run
//! --postgres`): vendors created, keys rotated, chaos started and ended, in turn; prints one
//! `BENCH` line of percentiles in microseconds.

use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    a: String,
    #[arg(long)]
    b: String,
    #[arg(long, env = "FACTORY_ADMIN_KEY", hide_env_values = true)]
    admin_key: String,
    /// How many changes to time.
    #[arg(long, default_value_t = 100)]
    changes: usize,
}

struct Bench {
    http: reqwest::Client,
    args: Args,
}

impl Bench {
    async fn send(&self, method: reqwest::Method, url: String, key: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, url).bearer_auth(key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn admin_a(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self
            .send(method, format!("{}{path}", self.args.a), &self.args.admin_key, body)
            .await;
        assert!(status < 300, "{path}: {status} {body}");
        body
    }

    async fn order_b(&self, key: &str) -> u16 {
        let order = json!({"diner": {"id": 1}, "order": {"items": [{"price": 1}]}});
        self.send(
            reqwest::Method::POST,
            format!("{}/api/order", self.args.b),
            key,
            Some(order),
        )
        .await
        .0
    }

    /// Time until `seen` holds on B, polled back to back (gives up after 5 s).
    async fn until<F: AsyncFn() -> bool>(&self, seen: F) -> Duration {
        let started = Instant::now();
        while !seen().await && started.elapsed() < Duration::from_secs(5) {}
        started.elapsed()
    }
}

#[tokio::main]
async fn main() {
    let bench = Bench {
        http: reqwest::Client::new(),
        args: Args::parse(),
    };
    let b = &bench;
    let mut times = Vec::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut n = 0;
    while times.len() < b.args.changes {
        let id = format!("prop-{}-{n}", &run[..8]);
        n += 1;
        let created = b
            .admin_a(
                reqwest::Method::POST,
                "/api/admin/vendors",
                Some(json!({"id": id, "name": id})),
            )
            .await;
        let path = format!("{}/api/admin/vendors/{id}", b.args.b);
        times.push(
            b.until(async || {
                b.send(reqwest::Method::GET, path.clone(), &b.args.admin_key, None)
                    .await
                    .0
                    == 200
            })
            .await,
        );
        let old = created["apiKey"].as_str().unwrap().to_owned();
        let rotated = b
            .admin_a(
                reqwest::Method::POST,
                &format!("/api/admin/vendors/{id}/apikey"),
                Some(json!({})),
            )
            .await;
        times.push(b.until(async || b.order_b(&old).await == 401).await);
        let key = rotated["apiKey"].as_str().unwrap().to_owned();
        let chaos = format!("/api/admin/vendors/{id}/chaos");
        b.admin_a(
            reqwest::Method::POST,
            &chaos,
            Some(json!({"mode": "fail", "start": "now"})),
        )
        .await;
        times.push(b.until(async || b.order_b(&key).await == 500).await);
        b.admin_a(reqwest::Method::DELETE, &chaos, None).await;
        times.push(b.until(async || b.order_b(&key).await == 200).await);
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1].as_micros();
    println!(
        "BENCH changes={} p50={} p90={} p99={} max={}",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}
