//! Ticket signing keys in PostgreSQL.

use tokio_postgres::{Client, GenericClient};

use super::{bad_row, classify};
use crate::store::{StoreResult, from_ms, to_ms};
use crate::tickets::{Algorithm, StoredKey};

pub(super) async fn all(c: &impl GenericClient) -> StoreResult<Vec<StoredKey>> {
    let rows = c
        .query(
            "SELECT kid, alg, pkcs8, created_at, signs_from, retired_at FROM signing_keys ORDER BY signs_from",
            &[],
        )
        .await
        .map_err(classify)?;
    rows.iter()
        .map(|r| {
            Ok(StoredKey {
                kid: r.get(0),
                alg: Algorithm::parse(r.get(1)).ok_or_else(|| bad_row("algorithm"))?,
                pkcs8: r.get(2),
                created_at: from_ms(r.get(3)),
                signs_from: from_ms(r.get(4)),
                retired_at: r.get::<_, Option<i64>>(5).map(from_ms),
            })
        })
        .collect()
}

/// The key it follows stops signing when `key` starts.
pub(super) async fn rotate(c: &mut Client, key: &StoredKey) -> StoreResult<()> {
    let tx = c.transaction().await.map_err(classify)?;
    tx.execute(
        "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL",
        &[&to_ms(key.signs_from)],
    )
    .await
    .map_err(classify)?;
    tx.execute(
        "INSERT INTO signing_keys (kid, alg, pkcs8, created_at, signs_from) VALUES ($1, $2, $3, $4, $5)",
        &[
            &key.kid,
            &key.alg.as_str(),
            &key.pkcs8,
            &to_ms(key.created_at),
            &to_ms(key.signs_from),
        ],
    )
    .await
    .map_err(classify)?;
    tx.commit().await.map_err(classify)
}
