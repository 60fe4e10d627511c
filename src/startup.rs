//! Builds the factory and its HTTP server on a listener it binds itself, so tests use port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::changes;
use crate::chaos::scheduler;
use crate::clock::Clock;
use crate::config::Config;
use crate::factory::{Factory, StartError};
use crate::http::{access, auth, body_deadline, cors, error, fd_budget};
use crate::random::Draws;
use crate::routes;
use crate::scenario::{Library, campaign};
use crate::store::{PostgresStore, SqliteStore, Store, StoreError};
use crate::student;

pub struct Application {
    port: u16,
    factory: web::Data<Factory>,
    server: Server,
    scheduler: JoinHandle<()>,
    webhook_worker: JoinHandle<()>,
    event_poller: JoinHandle<()>,
    /// The change listener and the task reloading on its notifications (PostgreSQL only).
    change_tasks: Vec<JoinHandle<()>>,
    stop_scheduler: watch::Sender<bool>,
}

pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, StoreError> {
    if config.data_dir.exists() {
        let key_file = config.data_dir.join("admin.key");
        crate::private_files::private_dir(&config.data_dir)
            .and_then(|()| crate::private_files::private_file(&key_file))
            .map_err(|e| StoreError::Unavailable(format!("data directory {}: {e}", config.data_dir.display())))?;
    }
    match config.postgres_url() {
        Some(url) => Ok(Arc::new(PostgresStore::open(url).await?)),
        None => {
            let path = config.sqlite_path();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))??;
            Ok(Arc::new(store))
        }
    }
}

impl Application {
    pub async fn build(config: Config, clock: Arc<dyn Clock>, draws: Arc<Draws>) -> Result<Self, StartError> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))
            .map_err(|e| StartError::Bind(format!("{}:{}", config.host, config.port), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Bind(config.host.clone(), e))?
            .port();
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{port}", config.host))
            .trim_end_matches('/')
            .to_owned();
        let store = open_store(&config).await?;
        let factory = web::Data::new(Factory::open(config.clone(), public_url, clock, draws, store).await?);
        let library = web::Data::new(Library {
            scenarios: campaign::load(&config.scenario_dir),
        });
        let (stop_scheduler, stop_rx) = watch::channel(false);
        let webhook_worker = tokio::spawn(crate::webhooks::worker::run(
            factory.clone().into_inner(),
            stop_rx.clone(),
        ));
        let event_poller = tokio::spawn(crate::events::run(factory.clone().into_inner(), stop_rx.clone()));
        let scheduler = tokio::spawn(scheduler::run(factory.clone().into_inner(), stop_rx.clone()));
        let change_tasks = changes::start(&factory.clone().into_inner(), &config, port, &stop_rx);

        let workers = config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        let max_connections = fd_budget::fit(workers, config.max_connections);
        let timeout = std::time::Duration::from_millis(config.client_timeout_ms);
        let data = factory.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(library.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(crate::http::BODY_LIMIT)
                        .error_handler(error::json_error),
                )
                .app_data(web::PathConfig::default().error_handler(error::path_error))
                .app_data(web::QueryConfig::default().error_handler(error::query_error))
                .wrap(from_fn(auth::learn_unseen_key))
                .wrap(body_deadline::BodyDeadline { limit: timeout })
                .wrap(from_fn(cors::cors))
                .wrap(from_fn(access::access))
                // Literal paths first: see `routes::configure_literal`. The student's page takes
                // its report URLs before the JSON route of the same pattern.
                .configure(routes::configure_literal)
                .configure(crate::console::configure)
                .configure(student::configure)
                .configure(routes::configure_patterns)
                .default_service(web::to(error::unknown_endpoint))
        })
        // Signals are ours (`run_until_signalled`): actix would force-stop on SIGINT.
        .disable_signals()
        .shutdown_timeout(config.shutdown_timeout_secs)
        .client_request_timeout(timeout)
        .workers(workers)
        .max_connections(max_connections);
        let server = server
            .listen(listener)
            .map_err(|e| StartError::Bind(config.host.clone(), e))?
            .run();
        log::info!(
            "pizza factory listening on {}:{port} (public URL {})",
            config.host,
            factory.public_url
        );
        Ok(Self {
            port,
            factory,
            server,
            scheduler,
            webhook_worker,
            event_poller,
            change_tasks,
            stop_scheduler,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn factory(&self) -> web::Data<Factory> {
        self.factory.clone()
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or SIGINT (Ctrl-C), both graceful: held orders are answered at once,
    /// in-flight requests finish, counters are flushed and the store is closed. A second signal
    /// stops at once.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let mut signals = Signals::install()?;
        let (handle, factory) = (self.handle(), self.factory.clone());
        let listener = tokio::spawn(async move {
            let name = signals.next().await;
            log::info!("{name} received: answering held orders, then stopping gracefully");
            factory.begin_shutdown();
            let graceful = handle.clone();
            tokio::spawn(async move { graceful.stop(true).await });
            let name = signals.next().await;
            log::warn!("{name} received again: stopping now");
            handle.stop(false).await;
        });
        let served = self.run_until_stopped().await;
        listener.abort();
        served
    }

    /// Serves until `handle().stop()`; in-flight requests finish, counters are flushed and the
    /// store is closed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let _ = self.stop_scheduler.send(true);
        let _ = self.scheduler.await;
        let _ = self.webhook_worker.await;
        let _ = self.event_poller.await;
        for task in self.change_tasks {
            let _ = task.await;
        }
        scheduler::flush_stats(&self.factory).await;
        if let Err(e) = self.factory.store.close().await {
            log::error!("closing the store: {e}");
        }
        log::info!("pizza factory stopped");
        served
    }
}

/// The signals that stop the factory, installed once so none is lost between two waits.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}
