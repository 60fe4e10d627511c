//! A hostile client for `bench/run`: holds `--connections` slow-body connections (a head that
//! announces 100 bytes, then one byte, reconnecting whenever the factory cuts one off) and sends
//! requests with made-up methods, paths and headers at `--junk-per-sec`; bounded by `--hold-secs`.

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
    #[arg(long, default_value_t = 5_000)]
    connections: usize,
    #[arg(long, default_value_t = 1_000)]
    junk_per_sec: u64,
    /// Gives up and exits after this long, whatever happens.
    #[arg(long, default_value_t = 120)]
    hold_secs: u64,
    /// Written once every slow connection has sent its head, so the caller knows they are in place.
    #[arg(long)]
    ready_file: Option<std::path::PathBuf>,
}

#[derive(Default)]
struct Tally {
    slow_open: AtomicUsize,
    cut_off: AtomicUsize,
    failed: AtomicUsize,
    junk: AtomicUsize,
}

/// One slow-body client, for ever: each time the factory closes the connection, another.
async fn slow(addr: String, connecting: Arc<Semaphore>, tally: Arc<Tally>) {
    let head = format!(
        "POST /api/order/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    let mut first = true;
    loop {
        let stream = {
            // A bounded number of connects at a time keeps the listen backlog from overflowing.
            let _permit = connecting.acquire().await.expect("semaphore open");
            TcpStream::connect(&addr).await
        };
        let Ok(mut stream) = stream else {
            tally.failed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if stream.write_all(head.as_bytes()).await.is_err() {
            tally.failed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if first {
            tally.slow_open.fetch_add(1, Ordering::Relaxed);
            first = false;
        }
        let mut buf = [0u8; 1024];
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        tally.cut_off.fetch_add(1, Ordering::Relaxed);
    }
}

/// Made-up methods, paths and header values, one new set per request, at a steady rate.
async fn junk(addr: String, per_sec: u64, tally: Arc<Tally>) {
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / per_sec.max(1)));
    let mut i: u64 = 0;
    loop {
        let Ok(mut stream) = TcpStream::connect(&addr).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        // Many requests per connection (each answer read to its end), so ports are not churned.
        loop {
            tick.tick().await;
            i += 1;
            let request = format!(
                "X{i:x}JUNK /junk/{i} HTTP/1.1\r\nHost: {addr}\r\nX-Junk-{i}: v{i}\r\nAuthorization: Bearer junk{i}\r\n\r\n"
            );
            if stream.write_all(request.as_bytes()).await.is_err() || !read_answer(&mut stream).await {
                break;
            }
            tally.junk.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Reads one HTTP answer with a Content-Length body; false when the connection ended.
async fn read_answer(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return true;
            }
        }
        match stream.read(&mut buf).await {
            Ok(n) if n > 0 => data.extend_from_slice(&buf[..n]),
            _ => return false,
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = Args::parse();
    let connecting = Arc::new(Semaphore::new(256));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.hold_secs);
    for _ in 0..args.connections {
        tokio::spawn(slow(args.addr.clone(), connecting.clone(), tally.clone()));
    }
    tokio::spawn(junk(args.addr.clone(), args.junk_per_sec, tally.clone()));
    let mut ready = false;
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    while Instant::now() < deadline {
        let open = tally.slow_open.load(Ordering::Relaxed);
        if !ready && open >= args.connections {
            ready = true;
            let line = format!(
                "hostile: {open} slow-body connections open after {:.1} s, junk at {}/s",
                started.elapsed().as_secs_f64(),
                args.junk_per_sec
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
        "hostile: {:.1} s; slow connections cut off by the factory {} times ({} connects failed), {} junk requests answered",
        started.elapsed().as_secs_f64(),
        tally.cut_off.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        tally.junk.load(Ordering::Relaxed)
    );
    std::process::exit(0);
}
