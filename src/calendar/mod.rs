//! Calendar feeds: secret URLs an admin makes and revokes, each answering the chaos schedule as
//! iCalendar (RFC 5545) for the calendar app an instructor already uses.

mod ics;

use chrono::Duration;
use uuid::Uuid;

use crate::domain::{FeedToken, Incident, IncidentState};
use crate::factory::Factory;
use crate::store::{CalendarFeed, IncidentFilter, StoreError};

pub use ics::{FEED_HORIZON_DAYS, event_end};

/// Most incidents one feed lists: far more than a term holds, few enough to build in one go.
const MAX_EVENTS: usize = 5_000;
const PAGE: usize = 1_000;

/// The path of a feed's URL under the public URL; the token is its only secret.
pub fn url(f: &Factory, token: &FeedToken) -> String {
    format!("{}/api/calendar/{}.ics", f.public_url, token.expose())
}

/// Makes a feed; the token comes back only here, the store keeps its hash.
pub async fn create(f: &Factory, by: &str) -> Result<(CalendarFeed, FeedToken), StoreError> {
    let token = FeedToken::generate();
    let feed = CalendarFeed {
        id: Uuid::new_v4(),
        token: token.hash(),
        created: f.clock.now(),
        created_by: by.to_owned(),
    };
    f.store.create_feed(&feed).await?;
    log::info!("calendar feed {} created by {by}", feed.id);
    Ok((feed, token))
}

/// Revokes a feed: its URL answers 404 from now on. False if there was none.
pub async fn revoke(f: &Factory, id: Uuid, by: &str) -> Result<bool, StoreError> {
    let gone = f.store.delete_feed(id).await?;
    if gone {
        log::info!("calendar feed {id} revoked by {by}");
    }
    Ok(gone)
}

/// The iCalendar text of the feed at `raw` (the token as the URL gave it), or `None` for a
/// token that opens nothing: unknown, revoked or malformed alike, after the same one lookup by
/// hash, so neither the answer nor its timing tells them apart.
pub async fn feed(f: &Factory, raw: &str) -> Result<Option<String>, StoreError> {
    if f.store.feed_by_token(FeedToken::presented(raw).hash()).await?.is_none() {
        return Ok(None);
    }
    let now = f.clock.now();
    let incidents = listed(f, now - Duration::days(FEED_HORIZON_DAYS)).await?;
    Ok(Some(ics::calendar(f, &incidents, now)))
}

/// Whether an incident belongs in a feed: scheduled, active, or ended after it had started
/// (a chaos cancelled before its start never happened); never voided or a drill's.
fn listed_state(i: &Incident) -> bool {
    (i.state == IncidentState::Scheduled || i.started_at.is_some()) && i.voided.is_none() && !i.drill
}

/// The incidents of a feed, newest first, paged through the store as summaries, back to
/// `since` (by when they were scheduled) and at most `MAX_EVENTS`.
async fn listed(f: &Factory, since: chrono::DateTime<chrono::Utc>) -> Result<Vec<Incident>, StoreError> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = f
            .store
            .incidents(&IncidentFilter {
                limit: PAGE,
                offset,
                summaries: true,
                ..IncidentFilter::default()
            })
            .await?;
        let done = page.len() < PAGE || page.last().is_none_or(|i| i.initiated_at < since);
        out.extend(
            page.into_iter()
                .filter(|i| i.initiated_at >= since || i.state.is_open())
                .filter(listed_state),
        );
        offset += PAGE;
        if done || out.len() >= MAX_EVENTS {
            out.truncate(MAX_EVENTS);
            return Ok(out);
        }
    }
}
