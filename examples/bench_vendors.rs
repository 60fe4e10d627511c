//! Creates vendors through the admin API for `bench/run`, optionally with chaos; prints their keys.
//!
//! `--count N --chaos MODE --active K`: the first K vendors get chaos starting now, the others
//! chaos scheduled at a random moment of tomorrow's window (announced to no one).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// Base URL of the factory, e.g. http://127.0.0.1:4000.
    #[arg(long)]
    url: String,
    #[arg(long, env = "FACTORY_ADMIN_KEY", hide_env_values = true)]
    admin_key: String,
    /// Vendor ids are `<prefix>-<n>`.
    #[arg(long)]
    prefix: String,
    #[arg(long, default_value_t = 1)]
    count: usize,
    /// Chaos mode to give every vendor created (none when absent).
    #[arg(long)]
    chaos: Option<String>,
    /// How many of them have their chaos start now; the rest have it scheduled.
    #[arg(long, default_value_t = 0)]
    active: usize,
    /// Chaos params as JSON, e.g. '{"delayMs":60000}'.
    #[arg(long, default_value = "{}")]
    params: String,
    /// Requests in flight at once while creating.
    #[arg(long, default_value_t = 16)]
    parallel: usize,
}

struct Admin {
    http: reqwest::Client,
    args: Args,
    params: Value,
}

impl Admin {
    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let res = self
            .http
            .post(format!("{}{path}", self.args.url))
            .bearer_auth(&self.args.admin_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| format!("POST {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status} {body}"));
        }
        Ok(body)
    }

    /// Creates vendor `n` (and its chaos) and returns its API key.
    async fn create(&self, n: usize) -> Result<String, String> {
        let id = format!("{}-{n}", self.args.prefix);
        let vendor = self
            .post("/api/admin/vendors", json!({"id": id, "name": format!("Bench {id}")}))
            .await?;
        let key = vendor["apiKey"].as_str().ok_or("no apiKey in the answer")?.to_owned();
        if let Some(mode) = &self.args.chaos {
            let mut chaos = json!({"mode": mode, "params": self.params});
            if n < self.args.active {
                chaos["start"] = json!("now");
            }
            self.post(&format!("/api/admin/vendors/{id}/chaos"), chaos).await?;
        }
        Ok(key)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let params = serde_json::from_str(&args.params).map_err(|e| format!("--params: {e}"))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let (count, parallel) = (args.count, args.parallel.max(1));
    let admin = Arc::new(Admin { http, args, params });
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..parallel {
        let (admin, next) = (admin.clone(), next.clone());
        workers.spawn(async move {
            let mut made = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return Ok::<_, String>(made);
                }
                made.push((n, admin.create(n).await?));
            }
        });
    }
    let mut keys = vec![String::new(); count];
    while let Some(done) = workers.join_next().await {
        for (n, key) in done.map_err(|e| e.to_string())?? {
            keys[n] = key;
        }
    }
    println!("{}", keys.join("\n"));
    Ok(())
}
