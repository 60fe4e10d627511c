//! Sends orders with random API keys at a steady rate for `bench/run --postgres` (the flood a
//! real vendor's orders are measured under); prints how many were sent and answered how.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The order URL, e.g. http://127.0.0.1:4000/api/order.
    #[arg(long)]
    url: String,
    /// Requests per second to aim at.
    #[arg(long, default_value_t = 10_000)]
    rate: u64,
    #[arg(long, default_value_t = 10)]
    secs: u64,
    /// Connections (tasks) sending.
    #[arg(long, default_value_t = 64)]
    connections: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let http = reqwest::Client::new();
    let (sent, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let end = started + Duration::from_secs(args.secs);
    // Each task paces itself to its share of the rate.
    let gap = Duration::from_secs_f64(args.connections as f64 / args.rate as f64);
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| {
            let (http, url, sent, refused) = (http.clone(), args.url.clone(), sent.clone(), refused.clone());
            tokio::spawn(async move {
                let mut next = Instant::now();
                while Instant::now() < end {
                    let key = uuid::Uuid::new_v4().simple().to_string();
                    let res = http.post(&url).bearer_auth(&key).body("{}").send().await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    if res.is_ok_and(|r| r.status() == 401) {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    next += gap;
                    tokio::time::sleep_until(next.into()).await;
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let secs = started.elapsed().as_secs_f64();
    let sent = sent.load(Ordering::Relaxed);
    println!(
        "RANDOM sent={sent} rate={:.0} refused401={}",
        sent as f64 / secs,
        refused.load(Ordering::Relaxed)
    );
}
