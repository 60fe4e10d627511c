//! Hostile clients: slow bodies, made-up methods and junk that must not hold or grow anything.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};

use serde_json::json;

use crate::helpers::{ADMIN_KEY, kinds, spawn_with};
use crate::process;

const SLOW_HEAD: &str = "POST /api/order/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                         Content-Length: 100\r\n\r\n{";

/// Sends a head announcing 100 bytes of body, then one byte, and never the rest.
fn slow_body(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(SLOW_HEAD.as_bytes()).unwrap();
    stream
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_slow_body_is_answered_408_and_closed_within_the_timeout() {
    let app = spawn_with(|c| c.client_timeout_ms = 1000).await;
    let port = port_of(&app.url);
    let (answer, waited) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut stream = slow_body(port);
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut out = String::new();
        // Reads to the end: only a closed connection ends it before the read timeout.
        let _ = stream.read_to_string(&mut out);
        (out, started.elapsed())
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.ends_with(r#"{"message":"request body did not arrive within 1000 ms"}"#),
        "{answer}"
    );
    assert!(waited < Duration::from_secs(3), "closed after {waited:?}");
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.status(),
        StatusCode::OK
    );
}

/// The binary under a hard open-file limit of `nofile` (the shell sets it; the factory cannot
/// raise it past that).
fn start_limited(dir: &std::path::Path, nofile: u64, envs: &[(&str, &str)]) -> process::Factory {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -n {nofile} && exec \"$0\""))
        .arg(env!("CARGO_BIN_EXE_pizza-factory"));
    process::start_command(command, dir, envs)
}

#[tokio::test]
async fn more_slow_bodies_than_descriptors_do_not_starve_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let factory = start_limited(
        dir.path(),
        200,
        &[("FACTORY_WORKERS", "1"), ("FACTORY_CLIENT_TIMEOUT_MS", "1000")],
    );
    let log = factory.log();
    assert!(
        log.contains("max connections lowered from 25000 to 72 per worker"),
        "{log}"
    );
    let port = port_of(&factory.url);
    // More than the process has descriptors for: before the cap and the body deadline, the
    // factory accepted until EMFILE and every later client, /healthz too, waited forever.
    let slow: Vec<TcpStream> = tokio::task::spawn_blocking(move || (0..250).map(|_| slow_body(port)).collect())
        .await
        .unwrap();
    let started = Instant::now();
    let health = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(format!("{}/healthz", factory.url))
        .send()
        .await
        .expect("/healthz answers while slow clients come and go");
    assert_eq!(health.status(), StatusCode::OK);
    eprintln!("/healthz answered after {:?}", started.elapsed());
    drop(slow);
    assert!(!factory.log().contains("Too many open files"), "{}", factory.log());
}

fn metrics_size(text: &str) -> usize {
    text.len()
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Sends `n` requests built by `build(i)`, 32 at a time; their answers do not matter.
async fn send_all(n: usize, build: impl Fn(usize) -> reqwest::RequestBuilder) {
    futures_util::stream::iter((0..n).map(build))
        .for_each_concurrent(32, |req| async move {
            let _ = req.send().await.map(|r| r.bytes());
        })
        .await;
}

#[tokio::test]
async fn junk_methods_paths_and_headers_leave_metrics_and_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let factory = process::start(
        dir.path(),
        &[("FACTORY_ADMIN_KEY", ADMIN_KEY), ("RUST_LOG", "info,access=warn")],
    );
    let client = reqwest::Client::new();
    let url = factory.url.clone();
    let scrape = || async {
        let res = client
            .get(format!("{url}/metrics"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    };
    // Warm-up: the same number of ordinary requests, so buffers and allocator arenas are grown.
    let junk = |i: usize| {
        let method = Method::from_bytes(format!("X{i:08x}JUNKMETHOD{}", "Z".repeat(40)).as_bytes()).unwrap();
        client
            .request(method, format!("{url}/junk/{i}/{}", "p".repeat(40)))
            .header(format!("x-junk-{i}"), format!("value-{i}"))
            .header("authorization", format!("Bearer junk-{i}"))
            .header("x-forwarded-for", format!("10.{}.{}.1", i / 256 % 256, i % 256))
            .header("origin", format!("http://junk-{i}.example"))
    };
    send_all(10_000, |i| {
        client
            .get(format!("{url}/healthz"))
            .header("origin", format!("http://junk-{i}.example"))
    })
    .await;
    send_all(100, junk).await;
    // The first scrape adds the /metrics series themselves.
    scrape().await;
    let before = metrics_size(&scrape().await);
    let rss_before = rss_kb(factory.child.id());
    send_all(10_000, junk).await;
    let text = scrape().await;
    let rss_after = rss_kb(factory.child.id());
    eprintln!(
        "/metrics {before} -> {} bytes, RSS {rss_before} -> {rss_after} kB",
        text.len()
    );
    assert!(
        metrics_size(&text) <= before + 2_000,
        "/metrics grew from {before} to {} bytes",
        text.len()
    );
    assert!(text.contains(r#"method="other",route="unmatched""#), "{text}");
    assert!(!text.contains("JUNKMETHOD"), "a raw method became a label");
    assert!(
        rss_after <= rss_before + 4 * 1024,
        "RSS grew from {rss_before} to {rss_after} kB"
    );
}

#[tokio::test]
async fn ipv6_clients_count_by_their_64_and_wrong_codes_fill_a_bounded_timeline() {
    use pizza_factory::chaos::MAX_WRONG_CODE_ROWS;
    use pizza_factory::config::Blocks;
    use pizza_factory::http::client_ip::parse_blocks;
    let app = spawn_with(|c| c.trusted_proxies = Blocks(parse_blocks("127.0.0.0/8").unwrap())).await;
    app.create_vendor("v").await;
    let incident = app.chaos("v", json!({"mode": "fail", "start": "now"})).await;
    let wrong = format!("{}/api/support/v/report/{}", app.url, "f".repeat(32));
    let via = |client: String| app.client.get(&wrong).header("x-forwarded-for", client).send();
    // One host rotating through the addresses of its /64 is one client.
    for i in 0..10 {
        let res = via(format!("2001:db8:0:1::{:x}", i + 1)).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = via("2001:db8:0:1:ffff:ffff:ffff:ffff".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Thirty more guesses from other /64s: counted, but the timeline stops growing.
    for i in 0..30 {
        let res = via(format!("2001:db8:1:{i:x}::1")).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    app.tick().await;
    let id = incident["id"].as_str().unwrap();
    let read = app.incident(id).await;
    let rows = kinds(&read).iter().filter(|k| *k == "wrong_fix_code").count() as u64;
    assert_eq!(rows, MAX_WRONG_CODE_ROWS, "{read}");
    assert_eq!(read["stats"]["wrongFixCodes"], 40, "{read}");
    // A restart (the count comes back from the store) does not reopen the timeline.
    let app = app.restart().await;
    let wrong = format!("{}/api/support/v/report/{}", app.url, "f".repeat(32));
    let res = app
        .client
        .get(&wrong)
        .header("x-forwarded-for", "2001:db8:2::1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let read = app.incident(id).await;
    let rows = kinds(&read).iter().filter(|k| *k == "wrong_fix_code").count() as u64;
    assert_eq!(rows, MAX_WRONG_CODE_ROWS, "{read}");
}

#[tokio::test]
async fn vendor_text_fields_refuse_control_characters() {
    let app = spawn_with(|_| {}).await;
    let (status, body) = app
        .admin(
            Method::POST,
            "/api/admin/vendors",
            Some(json!({"id": "v", "name": "Team 7\u{7}"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"message": "name must not contain control characters (found U+0007)"})
    );
    app.create_vendor("v").await;
    for (field, value, found) in [
        ("email", "a@b.c\r\nBcc: all@x", "U+000D"),
        ("website", "https://x\u{0}", "U+0000"),
        ("gitHubUrl", "https://github.com/x\ny", "U+000A"),
        ("name", "\u{1b}[31mred", "U+001B"),
    ] {
        let (status, body) = app
            .admin(Method::PATCH, "/api/admin/vendors/v", Some(json!({ field: value })))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(
            body["message"],
            format!("{field} must not contain control characters (found {found})")
        );
    }
    let (_, v) = app.admin(Method::GET, "/api/admin/vendors/v", None).await;
    assert_eq!(v["name"], "Vendor v", "nothing changed");
}

#[test]
fn a_short_admin_key_stops_the_factory_saying_why_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let short = "too-short-admin-key-123456789";
    let out = Command::new(env!("CARGO_BIN_EXE_pizza-factory"))
        .env_clear()
        .env("FACTORY_DATA_DIR", dir.path())
        .env("FACTORY_PORT", "0")
        .env("FACTORY_ADMIN_KEY", short)
        .envs(crate::backend::store_url(dir.path()).map(|url| ("FACTORY_DATABASE_URL", url)))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "started with a short key: {text}");
    assert!(
        text.contains("FACTORY_ADMIN_KEY must be at least 32 characters (it has 29)"),
        "{text}"
    );
    assert!(!text.contains(short), "the key was echoed: {text}");
    assert!(!text.contains("listening on"), "{text}");
}
