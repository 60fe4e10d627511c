//! Scheduler at class scale, printed not asserted: 100,000 pending chaos loaded at start (time to
//! ready, memory), the cost of one tick over them, and the lag between chaos start instants and
//! the scheduler recording those starts.
//!
//! `cargo bench --bench scheduler`; BENCH_PENDING and BENCH_TIMED change the sizes. The store is
//! filled on tmpfs (fsync there is free, so filling takes seconds), then copied to the temp dir
//! and measured in a fresh process of this program, so memory figures start from nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use pizza_factory::chaos::{self, ChaosRequest, Start, scheduler};
use pizza_factory::clock::SystemClock;
use pizza_factory::config::Config;
use pizza_factory::domain::{ApiKey, ChaosMode, ChaosParams, Role, Vendor, VendorId};
use pizza_factory::factory::Factory;
use pizza_factory::random::Draws;
use pizza_factory::store::SqliteStore;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// (resident, peak resident) of this process in MB.
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn vendor(id: &str) -> Vendor {
    Vendor {
        id: VendorId::parse(id).expect("valid id"),
        name: format!("Vendor {id}"),
        email: None,
        website: None,
        git_hub_url: None,
        roles: vec![Role::Vendor],
        created: Utc::now(),
        uid: uuid::Uuid::new_v4(),
    }
}

async fn open(dir: &Path) -> Factory {
    let mut config = Config::for_data_dir(dir.to_path_buf());
    // A throwaway admin of our choosing, so the first start prints no generated key.
    config.admin_key = Some(ApiKey::generate().expose().to_owned());
    let path = config.sqlite_path();
    let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
        .await
        .expect("open task")
        .expect("store opens");
    let draws = Arc::new(Draws::seeded(7));
    Factory::open(
        config,
        "http://127.0.0.1:1".into(),
        Arc::new(SystemClock),
        draws,
        Arc::new(store),
    )
    .await
    .expect("factory opens")
}

fn request(start: Start) -> ChaosRequest {
    ChaosRequest {
        mode: ChaosMode::Fail,
        params: ChaosParams::default(),
        start,
        max_duration_secs: None,
        drill: false,
    }
}

/// Fills a store with `pending` vendors whose chaos starts tomorrow, and `timed` without chaos.
async fn fill(dir: &Path, pending: usize, timed: usize) {
    let f = open(dir).await;
    let tomorrow = Utc::now() + chrono::Duration::days(1);
    for i in 0..pending + timed {
        let id = if i < pending {
            format!("p{i}")
        } else {
            format!("t{}", i - pending)
        };
        f.store
            .insert_vendor(&vendor(&id), ApiKey::generate().hash())
            .await
            .expect("vendor stored");
    }
    f.reload().await.expect("reload");
    for i in 0..pending {
        let at = tomorrow + chrono::Duration::milliseconds(i as i64);
        let id = VendorId::parse(&format!("p{i}")).expect("valid id");
        chaos::schedule(&f, &id, request(Start::At(at)), "bench".into())
            .await
            .expect("chaos scheduled");
    }
    f.store.close().await.expect("store closes");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// In a fresh process: load, tick, then time `timed` chaos starts spread over ten seconds.
async fn measure(dir: &Path, pending: usize, timed: usize) {
    let (rss_before, _) = memory_mb();
    let started = Instant::now();
    let f = Arc::new(open(dir).await);
    let ready = started.elapsed();
    let (rss_ready, peak_ready) = memory_mb();
    println!(
        "load: {pending} pending chaos, ready in {:.2} s; resident {rss_ready:.1} MB (+{:.1} MB), peak {peak_ready:.1} MB",
        ready.as_secs_f64(),
        rss_ready - rss_before
    );

    let mut ticks: Vec<f64> = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        scheduler::tick(&f, Utc::now()).await.expect("tick");
        ticks.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ticks.sort_by(f64::total_cmp);
    println!(
        "tick with nothing due over {pending} pending: p50 {:.2} ms, max {:.2} ms",
        percentile(&ticks, 0.5),
        ticks[ticks.len() - 1]
    );

    let first = Utc::now() + chrono::Duration::seconds(2);
    let spread_ms = 10_000.0 / timed.max(1) as f64;
    let mut watched = Vec::new();
    for i in 0..timed {
        let id = VendorId::parse(&format!("t{i}")).expect("valid id");
        let at = first + chrono::Duration::microseconds((i as f64 * spread_ms * 1e3) as i64);
        chaos::schedule(&f, &id, request(Start::At(at)), "bench".into())
            .await
            .expect("chaos scheduled");
        let live = f
            .directory
            .by_id(&id)
            .and_then(|e| e.chaos.clone())
            .expect("live chaos");
        watched.push((live, None));
    }
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(scheduler::run(f.clone(), stop_rx));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut left = watched.len();
    while left > 0 && Instant::now() < deadline {
        let now = Utc::now();
        for (live, seen) in watched.iter_mut().filter(|(_, seen)| seen.is_none()) {
            if live.started.load(Ordering::Acquire) {
                *seen = Some((now - live.start_at).num_microseconds().unwrap_or(0) as f64 / 1e3);
                left -= 1;
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let _ = stop.send(true);
    let _ = running.await;
    let mut lags: Vec<f64> = watched.iter().filter_map(|(_, lag)| *lag).collect();
    lags.sort_by(f64::total_cmp);
    if lags.is_empty() {
        println!("lag: no start was recorded within 60 s");
        return;
    }
    println!(
        "start lag ({} of {timed} starts over 10 s, tick every {} ms, observed to ~1 ms): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lags.len(),
        scheduler::TICK.as_millis(),
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        lags[lags.len() - 1]
    );
    let (_, peak) = memory_mb();
    println!("peak resident over the whole measurement: {peak:.1} MB");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("target dir");
    for entry in std::fs::read_dir(from).expect("source dir") {
        let entry = entry.expect("dir entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[tokio::main]
async fn main() {
    let pending = size("BENCH_PENDING", 100_000);
    let timed = size("BENCH_TIMED", 2_000);
    if let Ok(dir) = std::env::var("BENCH_SCHEDULER_DIR") {
        measure(&PathBuf::from(dir), pending, timed).await;
        return;
    }
    let shm = Path::new("/dev/shm");
    let scratch = tempfile::tempdir_in(if shm.is_dir() { shm } else { Path::new("/tmp") }).expect("scratch dir");
    let filling = Instant::now();
    fill(scratch.path(), pending, timed).await;
    println!(
        "filled a store with {pending} pending chaos in {:.1} s (setup, not measured)",
        filling.elapsed().as_secs_f64()
    );
    let disk = tempfile::tempdir().expect("temp dir");
    copy_dir(scratch.path(), disk.path());
    drop(scratch);
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .env("BENCH_SCHEDULER_DIR", disk.path())
        .status()
        .expect("measuring process runs");
    if !status.success() {
        eprintln!("the measuring process failed: {status}");
        std::process::exit(1);
    }
}
