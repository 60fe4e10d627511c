//! Console sessions in PostgreSQL, shared by every instance: the hash of each id, its admin,
//! and when it was last used.

use chrono::{DateTime, Duration, Utc};
use tokio_postgres::Client;

use super::classify;
use crate::domain::{KeyHash, VendorId};
use crate::store::{AdminSession, StoreResult, to_ms};

pub(super) async fn create(c: &Client, s: &AdminSession) -> StoreResult<()> {
    c.execute(
        "INSERT INTO admin_sessions (id_hash, vendor_id, created_at, last_seen) VALUES ($1, $2, $3, $3)",
        &[&s.id.to_hex(), &s.vendor.as_str(), &to_ms(s.at)],
    )
    .await
    .map(drop)
    .map_err(classify)
}

pub(super) async fn touch(
    c: &Client,
    id: KeyHash,
    now: DateTime<Utc>,
    idle: Duration,
) -> StoreResult<Option<VendorId>> {
    // Idle sessions go first, so an expired one is never touched back to life.
    c.execute(
        "DELETE FROM admin_sessions WHERE last_seen <= $1",
        &[&to_ms(now - idle)],
    )
    .await
    .map_err(classify)?;
    let row = c
        .query_opt(
            "UPDATE admin_sessions SET last_seen = GREATEST(last_seen, $2) WHERE id_hash = $1 RETURNING vendor_id",
            &[&id.to_hex(), &to_ms(now)],
        )
        .await
        .map_err(classify)?;
    Ok(row.and_then(|r| VendorId::parse(r.get::<_, &str>(0)).ok()))
}

pub(super) async fn end(c: &Client, id: KeyHash) -> StoreResult<()> {
    c.execute("DELETE FROM admin_sessions WHERE id_hash = $1", &[&id.to_hex()])
        .await
        .map(drop)
        .map_err(classify)
}
