//! Ticket signing keys in the SQLite store.

use rusqlite::{Connection, params};

use super::rows::bad_column;
use crate::store::{from_ms, to_ms};
use crate::tickets::{Algorithm, StoredKey};

pub(super) fn all(c: &mut Connection) -> rusqlite::Result<Vec<StoredKey>> {
    let mut stmt =
        c.prepare("SELECT kid, alg, pkcs8, created_at, signs_from, retired_at FROM signing_keys ORDER BY signs_from")?;
    let rows = stmt.query_map([], |r| {
        let alg: String = r.get(1)?;
        Ok(StoredKey {
            kid: r.get(0)?,
            alg: Algorithm::parse(&alg).ok_or_else(|| bad_column(1, "algorithm"))?,
            pkcs8: r.get(2)?,
            created_at: from_ms(r.get(3)?),
            signs_from: from_ms(r.get(4)?),
            retired_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
        })
    })?;
    rows.collect()
}

/// The key it follows stops signing when `key` starts.
pub(super) fn rotate(c: &mut Connection, key: &StoredKey) -> rusqlite::Result<()> {
    let tx = c.transaction()?;
    tx.execute(
        "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL",
        [to_ms(key.signs_from)],
    )?;
    tx.execute(
        "INSERT INTO signing_keys (kid, alg, pkcs8, created_at, signs_from) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            key.kid,
            key.alg.as_str(),
            key.pkcs8,
            to_ms(key.created_at),
            to_ms(key.signs_from)
        ],
    )?;
    tx.commit()
}
