//! Holds thousands of orders in flight for `bench/run`: one connection and one `POST /api/order`
//! each, against a vendor whose throttle chaos keeps them waiting; bounded by `--hold-secs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Semaphore;

#[derive(Parser)]
struct Args {
    /// host:port of the factory (127.0.0.1 only in bench/run).
    #[arg(long)]
    addr: String,
    /// API key of the throttled vendor.
    #[arg(long, env = "BENCH_FLOOD_KEY", hide_env_values = true)]
    key: String,
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Gives up and exits after this long, whatever happens.
    #[arg(long, default_value_t = 120)]
    hold_secs: u64,
    /// Written once every request has been sent, so the caller knows the flood is in place.
    #[arg(long)]
    ready_file: Option<std::path::PathBuf>,
}

#[derive(Default)]
struct Tally {
    sent: AtomicUsize,
    failed: AtomicUsize,
    answered: AtomicUsize,
}

const BODY: &str = r#"{"diner":{"id":719,"name":"j","email":"j@jwt.com"},"order":{"items":[{"menuId":1,"description":"Veggie","price":0.0038}],"storeId":"5","franchiseId":4,"id":278}}"#;

async fn one(addr: String, request: Arc<Vec<u8>>, connecting: Arc<Semaphore>, tally: Arc<Tally>) {
    let stream = {
        // A bounded number of connects at a time keeps the listen backlog from overflowing.
        let _permit = connecting.acquire().await.expect("semaphore open");
        match TcpStream::connect(&addr).await {
            Ok(s) => s,
            Err(_) => {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    };
    let mut stream = stream;
    if stream.write_all(&request).await.is_err() {
        tally.failed.fetch_add(1, Ordering::Relaxed);
        return;
    }
    tally.sent.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 512];
    if matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {
        tally.answered.fetch_add(1, Ordering::Relaxed);
    }
    // Keep the connection (and so the factory's side of it) until the process exits.
    std::future::pending::<()>().await;
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let request = format!(
        "POST /api/order HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
        args.addr,
        args.key,
        BODY.len()
    );
    let request = Arc::new(request.into_bytes());
    let connecting = Arc::new(Semaphore::new(256));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.hold_secs);
    for _ in 0..args.connections {
        tokio::spawn(one(
            args.addr.clone(),
            request.clone(),
            connecting.clone(),
            tally.clone(),
        ));
    }
    let mut ready = false;
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    while Instant::now() < deadline {
        let (sent, failed) = (tally.sent.load(Ordering::Relaxed), tally.failed.load(Ordering::Relaxed));
        if !ready && sent + failed >= args.connections {
            ready = true;
            let line = format!(
                "flood: {sent} orders in flight after {:.1} s ({failed} could not connect or send)",
                started.elapsed().as_secs_f64()
            );
            eprintln!("{line}");
            if let Some(path) = &args.ready_file {
                std::fs::write(path, line + "\n").expect("ready file writable");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            _ = term.recv() => break,
        }
    }
    eprintln!(
        "flood: held for {:.1} s; {} of {} orders were answered while held",
        started.elapsed().as_secs_f64(),
        tally.answered.load(Ordering::Relaxed),
        tally.sent.load(Ordering::Relaxed)
    );
    std::process::exit(0);
}
