//! API tests: each starts the real factory on port 0 with its own temp store (SQLite here; the
//! same files run against PostgreSQL in `tests/api_postgres`).

pub const BACKEND: backend::Backend = backend::Backend::Sqlite;

mod backend;

mod campaigns;
mod chaos;
mod crash;
mod errors;
mod forged_tickets;
mod helpers;
mod hot_path;
mod incidents;
mod key_rotation;
mod operations;
mod process;
mod report_url;
mod scenarios;
mod tickets;
mod vendors;
