//! `text/event-stream` of events (the API's and the console's): a stream catches up from the
//! store after the client's cursor, then follows the broadcast; one that falls behind re-reads
//! from the store, so nothing is skipped and, each event being sent only above the cursor,
//! nothing repeated.

use std::convert::Infallible;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OwnedSemaphorePermit, broadcast, mpsc};

use super::PAGE;
use crate::domain::Event;
use crate::factory::Factory;
use crate::http::ApiError;

/// The header a reconnecting EventSource sends with the last `id:` it read.
const LAST_EVENT_ID: &str = "last-event-id";
const HEARTBEAT: &[u8] = b": heartbeat\n\n";

/// An event seq from a client: a whole number from 0 (0: from the first event).
pub fn parse_seq(what: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| ApiError::bad_request(format!("{what} must be an event seq: a whole number from 0")))
}

/// Where a stream resumes: after `Last-Event-ID` (a reconnect), else after `?after=`, else
/// after `start`.
fn cursor(req: &HttpRequest, after: Option<&str>, start: i64) -> Result<i64, ApiError> {
    if let Some(h) = req.headers().get(LAST_EVENT_ID) {
        let raw = h
            .to_str()
            .map_err(|_| ApiError::bad_request("Last-Event-ID must be an event seq: a whole number from 0"))?;
        return parse_seq("Last-Event-ID", raw);
    }
    after.map_or(Ok(start), |raw| parse_seq("after", raw))
}

/// Where a stream without a cursor starts.
#[derive(Clone, Copy)]
pub enum Start {
    /// From the first event.
    First,
    /// After the last event stored: a page that only needs to hear of changes.
    Now,
}

/// Opens a stream for `req`, or 503 when the most streams allowed are open.
pub async fn open(
    f: Arc<Factory>,
    req: &HttpRequest,
    after: Option<&str>,
    start: Start,
) -> Result<HttpResponse, ApiError> {
    let start = match start {
        Start::First => 0,
        // The store's, not the poller's: it may not have read the latest yet.
        Start::Now => f.store.latest_event_seq().await?,
    };
    let cursor = cursor(req, after, start)?;
    let permit = f.events.streams().clone().try_acquire_owned().map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many event streams are open on this instance; try again later",
        )
    })?;
    // Subscribed before the catch-up read: whatever the poller sends meanwhile is not lost.
    let live = f.events.subscribe();
    let (out, body) = mpsc::channel::<Bytes>(16);
    tokio::spawn(feed(f, cursor, live, out, permit));
    let body = futures_util::stream::unfold(body, |mut body| async move {
        body.recv().await.map(|chunk| (Ok::<_, Infallible>(chunk), body))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .streaming(body))
}

fn frame(event: &Event) -> Bytes {
    let data = serde_json::to_string(event).expect("an event serializes");
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.seq, event.event.kind
    ))
}

/// Why a stream ends: its client left, the store failed (the client resumes with Last-Event-ID),
/// or the factory is stopping.
struct Ended;

async fn send(out: &mpsc::Sender<Bytes>, cursor: &mut i64, event: &Event) -> Result<(), Ended> {
    if event.seq <= *cursor {
        return Ok(());
    }
    out.send(frame(event)).await.map_err(|_| Ended)?;
    *cursor = event.seq;
    Ok(())
}

/// Sends every stored event after `cursor`.
async fn catch_up(f: &Factory, out: &mpsc::Sender<Bytes>, cursor: &mut i64) -> Result<(), Ended> {
    loop {
        let found = f.store.events(*cursor, PAGE).await.map_err(|e| {
            log::error!("event stream: reading events failed, the client will resume: {e}");
            Ended
        })?;
        for event in &found {
            send(out, cursor, event).await?;
        }
        if found.len() < PAGE {
            return Ok(());
        }
    }
}

async fn feed(
    f: Arc<Factory>,
    mut cursor: i64,
    mut live: broadcast::Receiver<Arc<Event>>,
    out: mpsc::Sender<Bytes>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = follow(&f, &mut cursor, &mut live, &out).await;
}

async fn follow(
    f: &Factory,
    cursor: &mut i64,
    live: &mut broadcast::Receiver<Arc<Event>>,
    out: &mpsc::Sender<Bytes>,
) -> Result<(), Ended> {
    let stopping = f.stopping();
    tokio::pin!(stopping);
    // Real time, not the factory's clock: a heartbeat keeps a connection and its proxies awake.
    let every = f.events.heartbeat;
    let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    catch_up(f, out, cursor).await?;
    loop {
        tokio::select! {
            _ = &mut stopping => return Err(Ended),
            _ = out.closed() => return Err(Ended),
            _ = heartbeat.tick() => out.send(Bytes::from_static(HEARTBEAT)).await.map_err(|_| Ended)?,
            got = live.recv() => match got {
                Ok(event) => send(out, cursor, &event).await?,
                // Fell behind the broadcast: the store still has every event.
                Err(RecvError::Lagged(_)) => catch_up(f, out, cursor).await?,
                Err(RecvError::Closed) => return Err(Ended),
            },
        }
    }
}
