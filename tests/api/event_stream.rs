//! The event stream: server-sent events that resume after `Last-Event-ID` with nothing skipped
//! or repeated, a heartbeat, a bound on open streams, and the console's stream on its session.

use std::time::Duration as StdDuration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::console::Console;
use crate::events::all_events;
use crate::helpers::{ADMIN_KEY, TestApp, spawn_app, spawn_with};

/// A server-sent event stream read frame by frame.
pub struct Sse {
    res: reqwest::Response,
    buf: String,
}

impl Sse {
    pub async fn open(app: &TestApp, last_event_id: Option<i64>) -> Sse {
        let mut req = app
            .client
            .get(format!("{}/api/admin/events/stream", app.url))
            .bearer_auth(ADMIN_KEY);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        Self::of(req.send().await.unwrap())
    }

    pub fn of(res: reqwest::Response) -> Sse {
        assert_eq!(res.status(), StatusCode::OK);
        let ctype = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ctype.starts_with("text/event-stream"), "{ctype}");
        Sse {
            res,
            buf: String::new(),
        }
    }

    /// The next frame (without its blank line), or `None` if none comes within 5 s.
    pub async fn frame(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame = self.buf[..end].to_owned();
                self.buf.drain(..end + 2);
                return Some(frame);
            }
            let chunk = tokio::time::timeout(StdDuration::from_secs(5), self.res.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buf.push_str(std::str::from_utf8(&bytes).unwrap()),
                _ => return None,
            }
        }
    }

    /// The next event frame as (id, event, data), passing over comments.
    pub async fn event(&mut self) -> Option<(i64, String, Value)> {
        loop {
            let frame = self.frame().await?;
            if frame.starts_with(':') {
                continue;
            }
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_else(|| panic!("no {name} in {frame}"))
                    .to_owned()
            };
            let data: Value = serde_json::from_str(&field("data: ")).unwrap();
            return Some((field("id: ").parse().unwrap(), field("event: "), data));
        }
    }
}

#[tokio::test]
async fn the_stream_resumes_after_last_event_id_with_nothing_skipped_or_repeated() {
    let app = spawn_app().await;
    for v in ["a", "b", "c"] {
        app.create_vendor(v).await;
    }
    let mut sse = Sse::open(&app, None).await;
    let mut read = Vec::new();
    for _ in 0..2 {
        read.push(sse.event().await.expect("a stored event"));
    }
    drop(sse);
    let last = read[1].0;
    // Meanwhile, more happens.
    app.create_vendor("d").await;
    app.chaos("d", json!({"mode": "fail", "start": "now"})).await;
    let mut sse = Sse::open(&app, Some(last)).await;
    let stored = all_events(&app, 0, 1000).await;
    let rest: Vec<Value> = stored
        .iter()
        .filter(|e| e["seq"].as_i64().unwrap() > last)
        .cloned()
        .collect();
    assert_eq!(rest.len(), 5, "b, c, d created, d's chaos scheduled and started");
    for expected in &rest {
        let (id, kind, data) = sse.event().await.expect("the next event");
        assert_eq!(
            (id, kind.as_str(), &data),
            (
                expected["seq"].as_i64().unwrap(),
                expected["type"].as_str().unwrap(),
                expected
            )
        );
    }
    // Then it follows live: the next change arrives, and nothing before it again.
    app.create_vendor("e").await;
    let (id, kind, data) = sse.event().await.expect("a live event");
    assert_eq!(
        (kind.as_str(), data["vendorId"].as_str()),
        ("vendor.created", Some("e"))
    );
    assert!(id > rest.last().unwrap()["seq"].as_i64().unwrap());
    // The first stream's two events, then these: each seq once.
    assert_eq!(read[0].2, stored[0]);
    assert_eq!(read[1].2, stored[1]);
}

#[tokio::test]
async fn an_idle_stream_gets_a_heartbeat_and_streams_are_bounded() {
    let app = spawn_with(|c| {
        c.event_heartbeat_ms = 200;
        c.max_event_streams = 1;
    })
    .await;
    let mut sse = Sse::open(&app, Some(1_000_000)).await;
    let started = std::time::Instant::now();
    assert_eq!(sse.frame().await.as_deref(), Some(": heartbeat"));
    assert!(started.elapsed() < StdDuration::from_secs(3));
    let (status, body) = app.admin(Method::GET, "/api/admin/events/stream", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["message"],
        "too many event streams are open on this instance; try again later"
    );
    // A stream that is closed frees its place (noticed at the latest at its next heartbeat).
    drop(sse);
    let deadline = std::time::Instant::now() + StdDuration::from_secs(5);
    loop {
        let res = app
            .call(Method::GET, "/api/admin/events/stream", Some(ADMIN_KEY), None)
            .await;
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the closed stream's place was not freed"
        );
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_console_streams_on_its_session_from_now_on() {
    let app = spawn_app().await;
    app.create_vendor("a").await;
    let console = Console::sign_in(&app).await;
    let res = console.get_res("/admin/events/stream").await;
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    let mut sse = Sse::of(res);
    // Not the history: the next change.
    app.create_vendor("b").await;
    let (_, kind, data) = sse.event().await.expect("a live event");
    assert_eq!(
        (kind.as_str(), data["vendorId"].as_str()),
        ("vendor.created", Some("b"))
    );
    // Without a session: the sign-in page, no stream.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/admin/events/stream", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}
