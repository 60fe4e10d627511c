//! The factory's shared state: configuration, clock, draws, store, directory and keys.

mod reload;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64};

use chrono::Duration;

use crate::clock::Clock;
use crate::config::Config;
use crate::directory::{Directory, StatsBook};
use crate::domain::vendor::Role;
use crate::domain::{ApiKey, Blackout, Vendor, VendorId};
use crate::feed::EventFeed;
use crate::limiter::FixCodeLimiter;
use crate::lookup::KeyLookup;
use crate::metrics::Metrics;
use crate::random::Draws;
use crate::store::{MeteredStore, Store, StoreError};
use crate::tickets::{KeyError, Keyring, StoredKey, latest};

pub struct Factory {
    pub config: Config,
    pub public_url: String,
    pub clock: Arc<dyn Clock>,
    pub draws: Arc<Draws>,
    pub store: Arc<dyn Store>,
    pub directory: Directory,
    pub keyring: Keyring,
    pub stats: StatsBook,
    pub limiter: FixCodeLimiter,
    /// Wrong admin keys on the console's sign-in form, limited like wrong fix codes.
    pub sign_in_limiter: FixCodeLimiter,
    pub metrics: Arc<Metrics>,
    /// New events, read once per tick and broadcast to the open event streams.
    pub events: EventFeed,
    /// Throttled orders waiting right now, all vendors together.
    pub throttled: AtomicU64,
    /// The store's change version this instance last caught up with (`i64::MIN`: never).
    seen_version: AtomicI64,
    /// Held while the directory is reloaded or a looked-up vendor is put in: one at a time, so
    /// an older snapshot never replaces a newer one.
    pub(crate) refreshing: tokio::sync::Mutex<()>,
    /// Keys this instance has not seen, looked up in a shared store; `None` when the store is
    /// this process's alone, so the directory holds every key.
    pub key_lookup: Option<KeyLookup>,
    /// Turns true when a shutdown begins: held (throttled) orders are answered at once.
    stopping: tokio::sync::watch::Sender<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("{0}")]
    AdminKey(String),
    #[error("cannot write the admin key file {0}: {1}")]
    AdminKeyFile(String, std::io::Error),
}

pub const ADMIN_ID: &str = "admin";

impl Factory {
    /// Bootstraps the admin and the signing key if the store lacks them, then loads the directory.
    pub async fn open(
        config: Config,
        public_url: String,
        clock: Arc<dyn Clock>,
        draws: Arc<Draws>,
        store: Arc<dyn Store>,
    ) -> Result<Self, StartError> {
        let metrics = Arc::new(Metrics::new());
        let store: Arc<dyn Store> = Arc::new(MeteredStore::new(store, metrics.clone()));
        bootstrap_admin(&config, store.as_ref(), clock.now()).await?;
        let keys = current_keys(&config, store.as_ref(), clock.now()).await?;
        let keyring = Keyring::new(
            &keys,
            config.ticket_alg,
            config.issuer.clone(),
            Duration::seconds(i64::from(config.ticket_lifetime_secs)),
            clock.now(),
        )?;
        let config_calls_per_minute = config.report_calls_per_minute;
        let events = EventFeed::new(
            config.max_event_streams as usize,
            std::time::Duration::from_millis(config.event_heartbeat_ms),
        );
        events.start_at_end(store.as_ref()).await?;
        // A store that others share has a change version; only there can a key be unseen here.
        let key_lookup = store.change_version().await?.is_some().then(KeyLookup::default);
        let factory = Self {
            config,
            public_url,
            clock,
            draws,
            store,
            directory: Directory::default(),
            keyring,
            stats: StatsBook::default(),
            limiter: FixCodeLimiter::new(config_calls_per_minute),
            sign_in_limiter: FixCodeLimiter::default(),
            metrics,
            events,
            throttled: AtomicU64::new(0),
            seen_version: AtomicI64::new(i64::MIN),
            refreshing: tokio::sync::Mutex::new(()),
            key_lookup,
            stopping: tokio::sync::watch::Sender::new(false),
        };
        factory.reload().await?;
        Ok(factory)
    }

    /// The configured blackout dates, read in the configured zone.
    pub fn blackout(&self) -> Blackout {
        Blackout::new(self.config.time_zone, &self.config.blackout.0)
    }

    /// Starts a shutdown: every order held in a throttle, and any held later, is answered now.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Completes once a shutdown has begun.
    pub fn stopping(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.stopping.subscribe();
        async move {
            // The sender lives as long as the factory; gone, nothing is held any more anyway.
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }
}

async fn bootstrap_admin(
    config: &Config,
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StartError> {
    let configured = config
        .admin_key
        .as_deref()
        .map(ApiKey::configured)
        .transpose()
        .map_err(StartError::AdminKey)?;
    let admin_id = VendorId::parse(ADMIN_ID).expect("valid id");
    let vendors = store.vendors().await?;
    if vendors.iter().any(|(v, _)| v.id == admin_id) {
        if let Some(key) = configured {
            store.add_api_key(&admin_id, key.hash(), now).await?;
        }
        return Ok(());
    }
    if !vendors.is_empty() {
        log::warn!("the store has vendors but no `admin`; admin routes need a vendor with the admin role");
        return Ok(());
    }
    let generated = configured.is_none();
    let key = configured.unwrap_or_else(ApiKey::generate);
    let admin = Vendor {
        id: admin_id,
        name: "Factory admin".into(),
        email: None,
        website: None,
        git_hub_url: None,
        roles: vec![Role::Vendor, Role::Admin],
        created: now,
        uid: uuid::Uuid::new_v4(),
    };
    match store.insert_vendor(&admin, key.hash()).await {
        // Another instance bootstrapped the same store first.
        Err(StoreError::Conflict(_)) => return Ok(()),
        other => other?,
    }
    if generated {
        let path = config.data_dir.join("admin.key");
        write_secret_file(&path, key.expose()).map_err(|e| StartError::AdminKeyFile(path.display().to_string(), e))?;
        // Printed once, on this first start only, as the contract says; never through `log`.
        eprintln!(
            "pizza-factory: admin API key (shown once, also in {}): {}",
            path.display(),
            key.expose()
        );
    }
    log::info!("created the admin vendor `admin`");
    Ok(())
}

fn write_secret_file(path: &Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        crate::private_files::private_dir(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{secret}")
}

/// The stored keys, with a key of the configured algorithm if the latest is not: it signs at
/// once in an empty store, else after the JWKS cache lifetime, like a rotation.
async fn current_keys(
    config: &Config,
    store: &dyn Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<StoredKey>, StartError> {
    let keys = store.signing_keys().await?;
    let fresh = match latest(&keys) {
        Some(k) if k.alg == config.ticket_alg => return Ok(keys),
        Some(_) => StoredKey::successor(config.ticket_alg, now)?,
        None => StoredKey::first(config.ticket_alg, now)?,
    };
    store.rotate_signing_key(&fresh).await?;
    log::info!(
        "generated signing key {} ({}), signing from {}",
        fresh.kid,
        fresh.alg.as_str(),
        crate::domain::instant::format(&fresh.signs_from)
    );
    Ok(store.signing_keys().await?)
}
