//! The API suite again, against PostgreSQL: the very files of `tests/api`, with the backend
//! switched, plus what only a shared store can do (several instances behind one address).
//! Needs FACTORY_TEST_POSTGRES_URL (see `.ci/postgres-up`); without it the half is skipped.

pub const BACKEND: backend::Backend = backend::Backend::Postgres;

#[path = "../api/backend.rs"]
mod backend;
#[path = "../api/campaigns.rs"]
mod campaigns;
#[path = "../api/chaos.rs"]
mod chaos;
#[path = "../api/crash.rs"]
mod crash;
#[path = "../api/errors.rs"]
mod errors;
#[path = "../api/forged_tickets.rs"]
mod forged_tickets;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/hot_path.rs"]
mod hot_path;
#[path = "../api/incidents.rs"]
mod incidents;
#[path = "../api/key_rotation.rs"]
mod key_rotation;
#[path = "../api/operations.rs"]
mod operations;
#[path = "../api/process.rs"]
mod process;
#[path = "../api/report_url.rs"]
mod report_url;
#[path = "../api/scenarios.rs"]
mod scenarios;
#[path = "../api/tickets.rs"]
mod tickets;
#[path = "../api/vendors.rs"]
mod vendors;

mod instances;
mod shared_counts;

/// A module added to `tests/api` must be added here too, or PostgreSQL would silently skip it.
#[test]
fn runs_every_module_of_the_sqlite_suite() {
    let here = include_str!("main.rs");
    for line in include_str!("../api/main.rs").lines() {
        if let Some(name) = line.strip_prefix("mod ").and_then(|l| l.strip_suffix(';')) {
            let included = format!("#[path = \"../api/{name}.rs\"]\nmod {name};");
            assert!(here.contains(&included), "tests/api_postgres/main.rs lacks `{name}`");
        }
    }
}
