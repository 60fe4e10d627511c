//! Calendar feeds in PostgreSQL, shared by every instance: the hash of each feed's token, who
//! made it and when.

use tokio_postgres::{Client, Row};
use uuid::Uuid;

use super::{classify, unavailable};
use crate::domain::KeyHash;
use crate::store::{CalendarFeed, StoreResult, from_ms, to_ms};

const COLUMNS: &str = "id, token_hash, created_at, created_by";

fn feed(r: &Row) -> StoreResult<CalendarFeed> {
    Ok(CalendarFeed {
        id: Uuid::parse_str(r.get::<_, &str>(0)).map_err(unavailable)?,
        token: KeyHash::from_hex(r.get::<_, &str>(1)).ok_or_else(|| unavailable("bad token hash"))?,
        created: from_ms(r.get(2)),
        created_by: r.get(3),
    })
}

pub(super) async fn create(c: &Client, f: &CalendarFeed) -> StoreResult<()> {
    c.execute(
        "INSERT INTO calendar_feeds (id, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4)",
        &[&f.id.to_string(), &f.token.to_hex(), &to_ms(f.created), &f.created_by],
    )
    .await
    .map(drop)
    .map_err(classify)
}

pub(super) async fn all(c: &Client) -> StoreResult<Vec<CalendarFeed>> {
    c.query(
        &format!("SELECT {COLUMNS} FROM calendar_feeds ORDER BY created_at, id"),
        &[],
    )
    .await
    .map_err(classify)?
    .iter()
    .map(feed)
    .collect()
}

pub(super) async fn by_token(c: &Client, token: KeyHash) -> StoreResult<Option<CalendarFeed>> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM calendar_feeds WHERE token_hash = $1"),
        &[&token.to_hex()],
    )
    .await
    .map_err(classify)?
    .as_ref()
    .map(feed)
    .transpose()
}

pub(super) async fn delete(c: &Client, id: Uuid) -> StoreResult<bool> {
    c.execute("DELETE FROM calendar_feeds WHERE id = $1", &[&id.to_string()])
        .await
        .map(|n| n > 0)
        .map_err(classify)
}
