//! Orders per minute of incidents in PostgreSQL: each flush of each instance adds to the row of
//! its minute and status, so the instances' counts sum up.

use std::collections::{BTreeMap, HashMap};

use tokio_postgres::GenericClient;

use super::classify;
use crate::domain::minute::minutes;
use crate::domain::{Minute, MinuteCount};
use crate::store::{StoreResult, from_ms, saturating_upsert_sql, stored_count, to_ms};

/// Adds the counts of one delta to the incident's stored ones, in one statement.
pub(super) async fn add(tx: &impl GenericClient, incident: &str, counts: &[MinuteCount]) -> StoreResult<()> {
    if counts.is_empty() {
        return Ok(());
    }
    // One row per minute and status: an upsert may not touch the same row twice.
    let mut merged: BTreeMap<(i64, i32), (u64, u64)> = BTreeMap::new();
    for c in counts {
        let (served, failed) = merged.entry((to_ms(c.at), i32::from(c.status))).or_default();
        *served = served.saturating_add(c.served);
        *failed = failed.saturating_add(c.failed);
    }
    let at: Vec<i64> = merged.keys().map(|k| k.0).collect();
    let status: Vec<i32> = merged.keys().map(|k| k.1).collect();
    let served: Vec<i64> = merged.values().map(|v| stored_count(v.0)).collect();
    let failed: Vec<i64> = merged.values().map(|v| stored_count(v.1)).collect();
    let sql = format!(
        "INSERT INTO incident_minutes (incident_id, at, status, served, failed) \
         SELECT $1::text, * FROM UNNEST($2::bigint[], $3::int[], $4::bigint[], $5::bigint[]) \
         ON CONFLICT (incident_id, at, status) DO UPDATE SET {}, {}",
        saturating_upsert_sql("incident_minutes", "served"),
        saturating_upsert_sql("incident_minutes", "failed"),
    );
    tx.execute(&sql, &[&incident, &at, &status, &served, &failed])
        .await
        .map_err(classify)?;
    Ok(())
}

/// The minutes of each of `incidents` (ids as stored), sorted by `at`, in one query.
pub(super) async fn of(c: &impl GenericClient, incidents: &[String]) -> StoreResult<HashMap<String, Vec<Minute>>> {
    let rows = c
        .query(
            "SELECT incident_id, at, status, served, failed FROM incident_minutes WHERE incident_id = ANY($1)",
            &[&incidents],
        )
        .await
        .map_err(classify)?;
    let mut counts: HashMap<String, Vec<MinuteCount>> = HashMap::new();
    for r in &rows {
        // A status that no HTTP answer has cannot have been counted: such a row is left out.
        let Ok(status) = u16::try_from(r.get::<_, i32>(2)) else {
            continue;
        };
        counts.entry(r.get(0)).or_default().push(MinuteCount {
            at: from_ms(r.get(1)),
            status,
            served: r.get::<_, i64>(3).max(0) as u64,
            failed: r.get::<_, i64>(4).max(0) as u64,
        });
    }
    Ok(counts.into_iter().map(|(id, c)| (id, minutes(c))).collect())
}
