//! API tests: each starts the real factory on port 0 with its own temp store.

mod campaigns;
mod chaos;
mod crash;
mod errors;
mod helpers;
mod incidents;
mod operations;
mod process;
mod report_url;
mod scenarios;
mod tickets;
mod vendors;
