//! Vendors and their API keys in PostgreSQL.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Row};
use uuid::Uuid;

use super::events::record;
use super::{bad_row, classify};
use crate::domain::vendor::{Role, normalize_roles};
use crate::domain::{KeyHash, NewEvent, Vendor, VendorId};
use crate::store::{EndedIncident, KeyOwner, StoreResult, VendorEnding, from_ms, to_ms};

fn vendor_from_row(r: &Row) -> StoreResult<Vendor> {
    let roles: String = r.get("roles");
    let roles: Vec<Role> = roles.split(',').filter_map(Role::parse).collect();
    Ok(Vendor {
        id: VendorId::parse(r.get("id")).map_err(|_| bad_row("vendor id"))?,
        name: r.get("name"),
        email: r.get("email"),
        website: r.get("website"),
        git_hub_url: r.get("github_url"),
        roles: normalize_roles(&roles),
        created: from_ms(r.get("created_at")),
        uid: Uuid::parse_str(r.get("uid")).map_err(|_| bad_row("vendor uid"))?,
    })
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

pub(super) async fn insert_vendor(c: &mut Client, v: &Vendor, key: KeyHash) -> StoreResult<()> {
    let tx = c.transaction().await.map_err(classify)?;
    tx.execute(
        "INSERT INTO vendors (id, name, email, website, github_url, roles, created_at, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&v.id.as_str(), &v.name, &v.email, &v.website, &v.git_hub_url, &roles_text(&v.roles), &to_ms(v.created), &v.uid.to_string()],
    )
    .await
    .map_err(classify)?;
    tx.execute(
        "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES ($1, $2, $3)",
        &[&key.to_hex(), &v.id.as_str(), &to_ms(v.created)],
    )
    .await
    .map_err(classify)?;
    record(&tx, &NewEvent::vendor_created(v)).await?;
    tx.commit().await.map_err(classify)
}

pub(super) async fn vendors(c: &mut Client) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>> {
    let rows = c
        .query(
            "SELECT v.id, v.name, v.email, v.website, v.github_url, v.roles, v.created_at, v.uid, \
             COALESCE(array_agg(k.key_hash) FILTER (WHERE k.key_hash IS NOT NULL), '{}') AS keys \
             FROM vendors v LEFT JOIN api_keys k ON k.vendor_id = v.id GROUP BY v.id ORDER BY v.id",
            &[],
        )
        .await
        .map_err(classify)?;
    rows.iter()
        .map(|r| {
            let keys: Vec<String> = r.get("keys");
            let hashes = keys.iter().filter_map(|h| KeyHash::from_hex(h)).collect();
            Ok((vendor_from_row(r)?, hashes))
        })
        .collect()
}

/// The vendor `id` with its keys, if there is one.
pub(super) async fn one(c: &Client, id: &VendorId) -> StoreResult<Option<(Vendor, Vec<KeyHash>)>> {
    let row = c
        .query_opt(
            "SELECT v.id, v.name, v.email, v.website, v.github_url, v.roles, v.created_at, v.uid, \
             ARRAY(SELECT a.key_hash FROM api_keys a WHERE a.vendor_id = v.id) AS keys \
             FROM vendors v WHERE v.id = $1",
            &[&id.as_str()],
        )
        .await
        .map_err(classify)?;
    row.map(|r| Ok((vendor_from_row(&r)?, key_hashes(&r)))).transpose()
}

fn key_hashes(r: &Row) -> Vec<KeyHash> {
    let keys: Vec<String> = r.get("keys");
    keys.iter().filter_map(|h| KeyHash::from_hex(h)).collect()
}

/// One statement, so the vendor, its keys and the version are of one snapshot; the primary key
/// of `api_keys` finds the row.
pub(super) async fn vendor_by_key(c: &Client, key: KeyHash) -> StoreResult<Option<KeyOwner>> {
    let row = c
        .query_opt(
            "SELECT v.id, v.name, v.email, v.website, v.github_url, v.roles, v.created_at, v.uid, \
             ARRAY(SELECT a.key_hash FROM api_keys a WHERE a.vendor_id = v.id) AS keys, \
             (SELECT version FROM store_changes WHERE id = 1) AS version \
             FROM api_keys k JOIN vendors v ON v.id = k.vendor_id WHERE k.key_hash = $1",
            &[&key.to_hex()],
        )
        .await
        .map_err(classify)?;
    row.map(|r| {
        Ok(KeyOwner {
            vendor: vendor_from_row(&r)?,
            keys: key_hashes(&r),
            version: r.get("version"),
        })
    })
    .transpose()
}

pub(super) async fn update_vendor(c: &mut Client, v: &Vendor) -> StoreResult<bool> {
    let n = c
        .execute(
            "UPDATE vendors SET name = $2, email = $3, website = $4, github_url = $5, roles = $6 WHERE id = $1",
            &[
                &v.id.as_str(),
                &v.name,
                &v.email,
                &v.website,
                &v.git_hub_url,
                &roles_text(&v.roles),
            ],
        )
        .await
        .map_err(classify)?;
    Ok(n == 1)
}

/// Deletes the vendor and ends every open incident filed under its id, whichever instance or
/// lifetime made it, in one transaction; `None` if there was no such vendor.
pub(super) async fn delete_vendor(
    c: &mut Client,
    id: &VendorId,
    ending: &VendorEnding,
) -> StoreResult<Option<Vec<EndedIncident>>> {
    let tx = c.transaction().await.map_err(classify)?;
    // Waits for a chaos being created for this vendor (it holds the row FOR UPDATE), so the
    // updates below, which start after, see it.
    let n = tx
        .execute("DELETE FROM vendors WHERE id = $1", &[&id.as_str()])
        .await
        .map_err(classify)?;
    if n == 0 {
        return Ok(None);
    }
    let ended = super::cluster::end_open(&tx, Some(id), ending).await?;
    // After the endings it caused: a reader meets the incidents' ends, then the vendor's.
    record(&tx, &NewEvent::vendor_deleted(id, ending.at)).await?;
    tx.commit().await.map_err(classify)?;
    Ok(Some(ended))
}

pub(super) async fn replace_api_key(
    c: &mut Client,
    id: &VendorId,
    key: KeyHash,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let tx = c.transaction().await.map_err(classify)?;
    // Locks the vendor, so a concurrent delete or rotation waits for this one.
    let exists = tx
        .query_opt("SELECT 1 FROM vendors WHERE id = $1 FOR UPDATE", &[&id.as_str()])
        .await
        .map_err(classify)?
        .is_some();
    if exists {
        tx.execute("DELETE FROM api_keys WHERE vendor_id = $1", &[&id.as_str()])
            .await
            .map_err(classify)?;
        tx.execute(
            "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES ($1, $2, $3)",
            &[&key.to_hex(), &id.as_str(), &to_ms(now)],
        )
        .await
        .map_err(classify)?;
        record(&tx, &NewEvent::key_rotated(id, now)).await?;
    }
    tx.commit().await.map_err(classify)?;
    Ok(exists)
}

pub(super) async fn add_api_key(c: &mut Client, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()> {
    c.execute(
        "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (key_hash) DO NOTHING",
        &[&key.to_hex(), &id.as_str(), &to_ms(now)],
    )
    .await
    .map_err(classify)?;
    Ok(())
}
