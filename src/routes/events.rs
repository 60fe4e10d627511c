//! `GET /api/admin/events` (pages of events, oldest first) and `GET /api/admin/events/stream`
//! (the same, pushed as server-sent events). Admins only: a vendor never learns of a scheduled
//! chaos this way.

use actix_web::{HttpRequest, HttpResponse, web};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Event;
use crate::events::{PAGE, stream};
use crate::factory::Factory;
use crate::http::{AdminCaller, ApiError};

const DEFAULT_LIMIT: usize = 100;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only events with a larger seq (default 0: from the first).
    #[schemars(with = "Option<u64>", range(max = 9_223_372_036_854_775_807u64))]
    after: Option<String>,
    /// How many events at most, 1 to 1000 (default 100).
    #[schemars(with = "Option<u16>", range(min = 1, max = 1000))]
    limit: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Start after this seq (default 0); a `Last-Event-ID` header takes precedence.
    #[schemars(with = "Option<u64>")]
    after: Option<String>,
}

/// One page of events, and where the next begins.
#[derive(Serialize, JsonSchema)]
pub struct EventPage {
    pub events: Vec<Event>,
    /// The seq of the last event returned, or `after` when none was: the next page's `after`.
    pub next: i64,
}

fn limit(raw: Option<&str>) -> Result<usize, ApiError> {
    let Some(raw) = raw else { return Ok(DEFAULT_LIMIT) };
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=PAGE).contains(n))
        .ok_or_else(|| ApiError::bad_request(format!("limit must be a whole number from 1 to {PAGE}")))
}

pub async fn list(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let after = query
        .after
        .as_deref()
        .map_or(Ok(0), |raw| stream::parse_seq("after", raw))?;
    let limit = limit(query.limit.as_deref())?;
    let events = f.store.events(after, limit).await?;
    let next = events.last().map_or(after, |e| e.seq);
    Ok(HttpResponse::Ok().json(EventPage { events, next }))
}

pub async fn stream(
    f: web::Data<Factory>,
    _admin: AdminCaller,
    req: HttpRequest,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    stream::open(f.into_inner(), &req, query.after.as_deref(), stream::Start::First).await
}
