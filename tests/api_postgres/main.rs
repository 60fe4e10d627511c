//! The API suite again, against PostgreSQL: the very files of `tests/api`, with the backend
//! switched, plus what only a shared store can do (several instances behind one address).
//! Needs FACTORY_TEST_POSTGRES_URL (see `.ci/postgres-up`); without it the half is skipped.

pub const BACKEND: backend::Backend = backend::Backend::Postgres;

#[path = "../api/backend.rs"]
mod backend;
#[path = "../api/chaos.rs"]
mod chaos;
#[path = "../api/errors.rs"]
mod errors;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/hot_path.rs"]
mod hot_path;
#[path = "../api/incidents.rs"]
mod incidents;
#[path = "../api/process.rs"]
mod process;
#[path = "../api/report_url.rs"]
mod report_url;
#[path = "../api/tickets.rs"]
mod tickets;
#[path = "../api/vendors.rs"]
mod vendors;
