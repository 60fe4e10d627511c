//! API tests: each starts the real factory on port 0 with its own temp store (SQLite here; the
//! same files run against PostgreSQL in `tests/api_postgres`).

pub const BACKEND: backend::Backend = backend::Backend::Sqlite;

mod backend;

mod blackout;
mod calendar;
mod campaigns;
mod chaos;
mod chaos_input;
mod class_controls;
mod cluster_counts;
mod consistency;
mod console;
mod console_forms;
mod crash;
mod errors;
mod event_stream;
mod events;
mod files;
mod forged_tickets;
mod grades;
mod grades_console;
mod grades_exports;
mod helpers;
mod hostile;
mod hot_path;
mod incidents;
mod instants;
mod key_rotation;
mod minutes;
mod money;
mod monitoring;
mod operations;
mod paging;
mod process;
mod process_notices;
mod receiver;
mod report_url;
mod reports;
mod roster;
mod scenarios;
mod shutdown;
mod student_page;
mod term_plan;
mod tickets;
mod vendor_lifetime;
mod vendors;
mod webhook_deliveries;
mod webhook_events;
mod webhooks;
