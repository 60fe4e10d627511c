//! Opening the shared store: the connection pool, bounded waits, and migrations applied one
//! instance at a time.

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use super::{PostgresStore, WAIT, classify, unavailable};
use crate::store::StoreResult;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../../migrations/postgres/0002_vendor_lifetime.sql")),
    (3, include_str!("../../../migrations/postgres/0003_key_signs_from.sql")),
    (4, include_str!("../../../migrations/postgres/0004_class_controls.sql")),
    (
        5,
        include_str!("../../../migrations/postgres/0005_incident_minutes.sql"),
    ),
    (6, include_str!("../../../migrations/postgres/0006_admin_sessions.sql")),
    (7, include_str!("../../../migrations/postgres/0007_events.sql")),
    (8, include_str!("../../../migrations/postgres/0008_webhooks.sql")),
    (9, include_str!("../../../migrations/postgres/0009_calendar.sql")),
    (10, include_str!("../../../migrations/postgres/0010_notify.sql")),
    (11, include_str!("../../../migrations/postgres/0011_cluster_counts.sql")),
    (12, include_str!("../../../migrations/postgres/0012_webhook_events.sql")),
];
/// Any constant of our own: instances starting together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x7069_7a7a_6166;
impl PostgresStore {
    /// Connects to `url` (postgres://...) and applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pg: tokio_postgres::Config = url.parse().map_err(unavailable)?;
        let manager = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(WAIT),
                create: Some(WAIT),
                recycle: Some(WAIT),
            })
            .build()
            .map_err(unavailable)?;
        let store = Self {
            pool,
            calls: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(classify)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(classify)?;
        for (version, sql) in MIGRATIONS {
            let done = tx
                .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
                .await
                .map_err(classify)?
                .is_some();
            if !done {
                tx.batch_execute(sql).await.map_err(classify)?;
                tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[version])
                    .await
                    .map_err(classify)?;
                log::info!("applied store migration {version}");
            }
        }
        tx.commit().await.map_err(classify)
    }
}
