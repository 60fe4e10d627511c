//! Calendar feeds in the SQLite store: the hash of each feed's token, who made it and when.

use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::rows::bad_column;
use crate::domain::KeyHash;
use crate::store::{CalendarFeed, from_ms, to_ms};

const COLUMNS: &str = "id, token_hash, created_at, created_by";

fn feed(r: &Row<'_>) -> rusqlite::Result<CalendarFeed> {
    let id: String = r.get(0)?;
    let hash: String = r.get(1)?;
    Ok(CalendarFeed {
        id: Uuid::parse_str(&id).map_err(|_| bad_column(0, "feed id"))?,
        token: KeyHash::from_hex(&hash).ok_or_else(|| bad_column(1, "token hash"))?,
        created: from_ms(r.get(2)?),
        created_by: r.get(3)?,
    })
}

pub(super) fn create(c: &mut Connection, f: &CalendarFeed) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO calendar_feeds (id, token_hash, created_at, created_by) VALUES (?1, ?2, ?3, ?4)",
        params![f.id.to_string(), f.token.to_hex(), to_ms(f.created), f.created_by],
    )
    .map(drop)
}

pub(super) fn all(c: &mut Connection) -> rusqlite::Result<Vec<CalendarFeed>> {
    let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM calendar_feeds ORDER BY created_at, id"))?;
    stmt.query_map([], feed)?.collect()
}

pub(super) fn by_token(c: &mut Connection, token: KeyHash) -> rusqlite::Result<Option<CalendarFeed>> {
    c.query_row(
        &format!("SELECT {COLUMNS} FROM calendar_feeds WHERE token_hash = ?1"),
        [token.to_hex()],
        feed,
    )
    .optional()
}

pub(super) fn delete(c: &mut Connection, id: Uuid) -> rusqlite::Result<bool> {
    c.execute("DELETE FROM calendar_feeds WHERE id = ?1", [id.to_string()])
        .map(|n| n > 0)
}
