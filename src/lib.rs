//! Pizza Factory: signed JWT tickets for JWT Pizza vendors, and chaos to teach incident response.

pub mod changes;
pub mod chaos;
pub mod clock;
pub mod config;
pub mod console;
pub mod directory;
pub mod domain;
pub mod drill;
pub mod factory;
pub mod http;
pub mod limiter;
pub mod lookup;
pub mod metrics;
pub mod private_files;
pub mod probe;
pub mod random;
pub mod routes;
pub mod scenario;
pub mod startup;
pub mod store;
pub mod student;
pub mod tally;
pub mod tickets;
