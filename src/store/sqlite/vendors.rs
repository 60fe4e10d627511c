//! Vendors and their API keys in the SQLite store; each change writes its event in the same
//! transaction.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::events;
use super::rows::{roles_text, vendor_from_row};
use crate::domain::{KeyHash, NewEvent, Vendor, VendorId};
use crate::store::to_ms;

pub(super) fn insert(c: &mut Connection, v: &Vendor, key: KeyHash) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO vendors (id, name, email, website, github_url, roles, created_at, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![v.id.as_str(), v.name, v.email, v.website, v.git_hub_url, roles_text(&v.roles), to_ms(v.created), v.uid.to_string()],
    )?;
    tx.execute(
        "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES (?1, ?2, ?3)",
        params![key.to_hex(), v.id.as_str(), to_ms(v.created)],
    )?;
    events::record(&tx, &NewEvent::vendor_created(v))?;
    tx.commit()
}

pub(super) fn all(c: &mut Connection) -> rusqlite::Result<Vec<(Vendor, Vec<KeyHash>)>> {
    let mut stmt =
        c.prepare("SELECT id, name, email, website, github_url, roles, created_at, uid FROM vendors ORDER BY id")?;
    let vendors: Vec<Vendor> = stmt.query_map([], vendor_from_row)?.collect::<rusqlite::Result<_>>()?;
    let mut keys = c.prepare("SELECT key_hash FROM api_keys WHERE vendor_id = ?1")?;
    vendors
        .into_iter()
        .map(|v| {
            let hashes = keys
                .query_map([v.id.as_str()], |r| r.get::<_, String>(0))?
                .filter_map(|h| h.ok().and_then(|h| KeyHash::from_hex(&h)))
                .collect();
            Ok((v, hashes))
        })
        .collect()
}

pub(super) fn update(c: &mut Connection, v: &Vendor) -> rusqlite::Result<bool> {
    let n = c.execute(
        "UPDATE vendors SET name = ?2, email = ?3, website = ?4, github_url = ?5, roles = ?6 WHERE id = ?1",
        params![
            v.id.as_str(),
            v.name,
            v.email,
            v.website,
            v.git_hub_url,
            roles_text(&v.roles)
        ],
    )?;
    Ok(n == 1)
}

pub(super) fn replace_key(
    c: &mut Connection,
    id: &VendorId,
    key: KeyHash,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let tx = c.transaction()?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM vendors WHERE id = ?1)",
        [id.as_str()],
        |r| r.get(0),
    )?;
    if exists {
        tx.execute("DELETE FROM api_keys WHERE vendor_id = ?1", [id.as_str()])?;
        tx.execute(
            "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES (?1, ?2, ?3)",
            params![key.to_hex(), id.as_str(), to_ms(now)],
        )?;
        events::record(&tx, &NewEvent::key_rotated(id, now))?;
    }
    tx.commit()?;
    Ok(exists)
}

pub(super) fn add_key(c: &mut Connection, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (key_hash) DO NOTHING",
        params![key.to_hex(), id.as_str(), to_ms(now)],
    )?;
    Ok(())
}
