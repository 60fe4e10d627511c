//! The embedded store: one SQLite file in WAL mode, fsynced on every commit.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::{IncidentFilter, OpenIncident, StatsDelta, Store, StoreError, StoreResult, Transition, from_ms, to_ms};
use crate::domain::incident::Stats;
use crate::domain::vendor::{Role, normalize_roles};
use crate::domain::{
    ChaosMode, FixCode, Incident, IncidentState, KeyHash, ResolvedBy, TimelineEvent, Vendor, VendorId,
};
use crate::tickets::{Algorithm, StoredKey};

const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/sqlite/0001_init.sql"))];

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    calls: Arc<AtomicU64>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn classify(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(e.to_string()),
        _ => unavailable(e),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unavailable)?;
        }
        let mut conn = Connection::open(path).map_err(unavailable)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(unavailable)?;
        // FULL: a commit is on disk before the API acknowledges it.
        conn.pragma_update(None, "synchronous", "FULL").map_err(unavailable)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(unavailable)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(unavailable)?;
        migrate(&mut conn).map_err(unavailable)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            calls: Arc::default(),
        })
    }

    async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| unavailable("connection lock poisoned"))?;
            f(&mut conn).map_err(classify)
        })
        .await
        .map_err(unavailable)?
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction()?;
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !done {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, datetime('now'))",
                [version],
            )?;
            log::info!("applied store migration {version}");
        }
        tx.commit()?;
    }
    Ok(())
}

fn bad_column(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, format!("bad {what}").into())
}

fn vendor_from_row(r: &Row<'_>) -> rusqlite::Result<Vendor> {
    let id: String = r.get(0)?;
    let roles: String = r.get(5)?;
    let roles: Vec<Role> = roles.split(',').filter_map(Role::parse).collect();
    Ok(Vendor {
        id: VendorId::parse(&id).map_err(|_| bad_column(0, "vendor id"))?,
        name: r.get(1)?,
        email: r.get(2)?,
        website: r.get(3)?,
        git_hub_url: r.get(4)?,
        roles: normalize_roles(&roles),
        created: from_ms(r.get(6)?),
    })
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

const INCIDENT_COLUMNS: &str = "id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, started_at, \
     first_failure_at, resolved_at, resolved_by, max_duration_secs, orders_affected, orders_failed, \
     orders_succeeded, lost_revenue, wrong_fix_codes, fix_code";

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<(Incident, FixCode)> {
    let id: String = r.get(0)?;
    let vendor: String = r.get(1)?;
    let mode: String = r.get(2)?;
    let params: String = r.get(3)?;
    let state: String = r.get(4)?;
    let resolved_by: Option<String> = r.get(11)?;
    let opt_time =
        |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> { Ok(r.get::<_, Option<i64>>(i)?.map(from_ms)) };
    let mut incident = Incident {
        id: Uuid::parse_str(&id).map_err(|_| bad_column(0, "incident id"))?,
        vendor_id: VendorId::parse(&vendor).map_err(|_| bad_column(1, "vendor id"))?,
        mode: ChaosMode::parse(&mode).ok_or_else(|| bad_column(2, "mode"))?,
        params: serde_json::from_str(&params).map_err(|_| bad_column(3, "params"))?,
        state: IncidentState::parse(&state).ok_or_else(|| bad_column(4, "state"))?,
        initiated_by: r.get(5)?,
        initiated_at: from_ms(r.get(6)?),
        start_at: from_ms(r.get(7)?),
        started_at: opt_time(8)?,
        first_failure_at: opt_time(9)?,
        resolved_at: opt_time(10)?,
        resolved_by: resolved_by.as_deref().and_then(ResolvedBy::parse),
        max_duration_secs: r.get::<_, Option<i64>>(12)?.map(|s| s as u64),
        stats: Stats {
            orders_affected: r.get::<_, i64>(13)? as u64,
            orders_failed: r.get::<_, i64>(14)? as u64,
            orders_succeeded: r.get::<_, i64>(15)? as u64,
            lost_revenue: crate::domain::order::Order::round(r.get(16)?),
            wrong_fix_codes: r.get::<_, i64>(17)? as u64,
            seconds_to_resolve: None,
        },
        timeline: Vec::new(),
    };
    incident.stats.seconds_to_resolve = incident.seconds_to_resolve();
    Ok((incident, FixCode::from_stored(r.get(18)?)))
}

fn timeline(conn: &Connection, id: &str) -> rusqlite::Result<Vec<TimelineEvent>> {
    let mut stmt =
        conn.prepare_cached("SELECT at, kind, detail FROM incident_events WHERE incident_id = ?1 ORDER BY at, seq")?;
    let rows = stmt.query_map([id], |r| {
        Ok(TimelineEvent {
            at: from_ms(r.get(0)?),
            kind: r.get(1)?,
            detail: r.get(2)?,
        })
    })?;
    rows.collect()
}

fn insert_event(conn: &Connection, id: &str, event: &TimelineEvent) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO incident_events (incident_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![id, to_ms(event.at), event.kind, event.detail],
    )?;
    Ok(())
}

fn states_sql(states: &[IncidentState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn insert_vendor(&self, vendor: &Vendor, key: KeyHash) -> StoreResult<()> {
        let v = vendor.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO vendors (id, name, email, website, github_url, roles, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![v.id.as_str(), v.name, v.email, v.website, v.git_hub_url, roles_text(&v.roles), to_ms(v.created)],
            )?;
            tx.execute(
                "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES (?1, ?2, ?3)",
                params![key.to_hex(), v.id.as_str(), to_ms(v.created)],
            )?;
            tx.commit()
        })
        .await
    }

    async fn vendors(&self) -> StoreResult<Vec<(Vendor, Vec<KeyHash>)>> {
        self.run(|c| {
            let mut stmt =
                c.prepare("SELECT id, name, email, website, github_url, roles, created_at FROM vendors ORDER BY id")?;
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
        })
        .await
    }

    async fn update_vendor(&self, vendor: &Vendor) -> StoreResult<bool> {
        let v = vendor.clone();
        self.run(move |c| {
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
        })
        .await
    }

    async fn delete_vendor(&self, id: &VendorId) -> StoreResult<bool> {
        let id = id.clone();
        self.run(move |c| Ok(c.execute("DELETE FROM vendors WHERE id = ?1", [id.as_str()])? == 1))
            .await
    }

    async fn replace_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<bool> {
        let id = id.clone();
        self.run(move |c| {
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
            }
            tx.commit()?;
            Ok(exists)
        })
        .await
    }

    async fn add_api_key(&self, id: &VendorId, key: KeyHash, now: DateTime<Utc>) -> StoreResult<()> {
        let id = id.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO api_keys (key_hash, vendor_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (key_hash) DO NOTHING",
                params![key.to_hex(), id.as_str(), to_ms(now)],
            )?;
            Ok(())
        })
        .await
    }

    async fn signing_keys(&self) -> StoreResult<Vec<StoredKey>> {
        self.run(|c| {
            let mut stmt =
                c.prepare("SELECT kid, alg, pkcs8, created_at, retired_at FROM signing_keys ORDER BY created_at")?;
            let rows = stmt.query_map([], |r| {
                let alg: String = r.get(1)?;
                Ok(StoredKey {
                    kid: r.get(0)?,
                    alg: Algorithm::parse(&alg).ok_or_else(|| bad_column(1, "algorithm"))?,
                    pkcs8: r.get(2)?,
                    created_at: from_ms(r.get(3)?),
                    retired_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
                })
            })?;
            rows.collect()
        })
        .await
    }

    async fn rotate_signing_key(&self, key: &StoredKey) -> StoreResult<()> {
        let key = key.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE signing_keys SET retired_at = ?1 WHERE retired_at IS NULL",
                [to_ms(key.created_at)],
            )?;
            tx.execute(
                "INSERT INTO signing_keys (kid, alg, pkcs8, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![key.kid, key.alg.as_str(), key.pkcs8, to_ms(key.created_at)],
            )?;
            tx.commit()
        })
        .await
    }

    async fn create_incident(
        &self,
        incident: &Incident,
        fix_code: &FixCode,
        replace_scheduled_after: Option<DateTime<Utc>>,
    ) -> StoreResult<Option<Uuid>> {
        let inc = incident.clone();
        let code = fix_code.expose().to_owned();
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut replaced = None;
            if let Some(now) = replace_scheduled_after {
                let old: Option<String> = tx
                    .query_row(
                        "SELECT id FROM incidents WHERE vendor_id = ?1 AND state = 'scheduled' AND start_at > ?2",
                        params![inc.vendor_id.as_str(), to_ms(now)],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(old) = old {
                    tx.execute("UPDATE incidents SET state = 'cancelled' WHERE id = ?1", [&old])?;
                    insert_event(&tx, &old, &TimelineEvent::new(now, "cancelled", format!("replaced by a new request from {}", inc.initiated_by)))?;
                    replaced = Uuid::parse_str(&old).ok();
                }
            }
            tx.execute(
                "INSERT INTO incidents (id, vendor_id, mode, params, state, initiated_by, initiated_at, start_at, max_duration_secs, fix_code) \
                 VALUES (?1, ?2, ?3, ?4, 'scheduled', ?5, ?6, ?7, ?8, ?9)",
                params![
                    inc.id.to_string(),
                    inc.vendor_id.as_str(),
                    inc.mode.as_str(),
                    serde_json::to_string(&inc.params).expect("params serialize"),
                    inc.initiated_by,
                    to_ms(inc.initiated_at),
                    to_ms(inc.start_at),
                    inc.max_duration_secs.map(|s| s as i64),
                    code,
                ],
            )?;
            for event in &inc.timeline {
                insert_event(&tx, &inc.id.to_string(), event)?;
            }
            tx.commit()?;
            Ok(replaced)
        })
        .await
    }

    async fn start_incident(&self, id: Uuid, detail: &str) -> StoreResult<bool> {
        let detail = detail.to_owned();
        self.run(move |c| {
            let tx = c.transaction()?;
            let id = id.to_string();
            let start: Option<i64> = tx
                .query_row(
                    "SELECT start_at FROM incidents WHERE id = ?1 AND state = 'scheduled'",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(start) = start else { return Ok(false) };
            tx.execute(
                "UPDATE incidents SET state = 'active', started_at = start_at WHERE id = ?1",
                [&id],
            )?;
            insert_event(&tx, &id, &TimelineEvent::new(from_ms(start), "started", detail))?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn transition(&self, id: Uuid, change: &Transition) -> StoreResult<bool> {
        let change = change.clone();
        self.run(move |c| {
            let tx = c.transaction()?;
            let id = id.to_string();
            let ends = matches!(change.to, IncidentState::Resolved | IncidentState::Expired);
            let n = tx.execute(
                &format!(
                    "UPDATE incidents SET state = ?2, resolved_at = CASE WHEN ?3 THEN ?4 ELSE resolved_at END, resolved_by = ?5 \
                     WHERE id = ?1 AND state IN ({})",
                    states_sql(&change.from)
                ),
                params![id, change.to.as_str(), ends, to_ms(change.at), change.resolved_by.map(|b| b.as_str())],
            )?;
            if n == 1 {
                insert_event(&tx, &id, &change.event)?;
            }
            tx.commit()?;
            Ok(n == 1)
        })
        .await
    }

    async fn add_event(&self, id: Uuid, event: &TimelineEvent) -> StoreResult<()> {
        let event = event.clone();
        self.run(move |c| insert_event(c, &id.to_string(), &event)).await
    }

    async fn add_stats(&self, deltas: &[StatsDelta]) -> StoreResult<()> {
        let deltas = deltas.to_vec();
        self.run(move |c| {
            let tx = c.transaction()?;
            for d in &deltas {
                let id = d.incident.to_string();
                if let Some(first) = d.first_failure_at {
                    let had: Option<Option<i64>> = tx
                        .query_row("SELECT first_failure_at FROM incidents WHERE id = ?1", [&id], |r| r.get(0))
                        .optional()?;
                    if let Some(had) = had
                        && had.is_none_or(|h| h > to_ms(first))
                    {
                        tx.execute("UPDATE incidents SET first_failure_at = ?2 WHERE id = ?1", params![id, to_ms(first)])?;
                        if had.is_none() {
                            insert_event(&tx, &id, &TimelineEvent::new(first, "first_failure", "first order denied a valid ticket"))?;
                        }
                    }
                }
                tx.execute(
                    "UPDATE incidents SET orders_affected = orders_affected + ?2, orders_failed = orders_failed + ?3, \
                     orders_succeeded = orders_succeeded + ?4, lost_revenue = lost_revenue + ?5, wrong_fix_codes = wrong_fix_codes + ?6 WHERE id = ?1",
                    params![id, d.affected as i64, d.failed as i64, d.succeeded as i64, d.lost_revenue, d.wrong_fix_codes as i64],
                )?;
            }
            tx.commit()
        })
        .await
    }

    async fn open_incidents(&self) -> StoreResult<Vec<OpenIncident>> {
        self.run(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE state IN ('scheduled', 'active')"
            ))?;
            let rows = stmt.query_map([], incident_from_row)?;
            rows.map(|r| r.map(|(incident, fix_code)| OpenIncident { incident, fix_code }))
                .collect()
        })
        .await
    }

    async fn incident(&self, id: Uuid) -> StoreResult<Option<Incident>> {
        self.run(move |c| {
            let id = id.to_string();
            let found = c
                .query_row(
                    &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"),
                    [&id],
                    incident_from_row,
                )
                .optional()?;
            let Some((mut incident, _)) = found else {
                return Ok(None);
            };
            incident.timeline = timeline(c, &id)?;
            Ok(Some(incident))
        })
        .await
    }

    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        let filter = filter.clone();
        self.run(move |c| {
            let mut sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE 1 = 1");
            if !filter.states.is_empty() {
                sql.push_str(&format!(" AND state IN ({})", states_sql(&filter.states)));
            }
            if filter.vendor.is_some() {
                sql.push_str(" AND vendor_id = ?1");
            }
            sql.push_str(&format!(
                " ORDER BY initiated_at DESC, rowid DESC LIMIT {}",
                filter.limit
            ));
            let mut stmt = c.prepare(&sql)?;
            let vendor = filter.vendor.as_ref().map(|v| v.as_str().to_owned());
            let found: Vec<(Incident, FixCode)> = match &vendor {
                Some(v) => stmt
                    .query_map([v], incident_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
                None => stmt
                    .query_map([], incident_from_row)?
                    .collect::<rusqlite::Result<_>>()?,
            };
            found
                .into_iter()
                .map(|(mut incident, _)| {
                    incident.timeline = timeline(c, &incident.id.to_string())?;
                    Ok(incident)
                })
                .collect()
        })
        .await
    }

    async fn close(&self) -> StoreResult<()> {
        self.run(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")).await
    }
}
