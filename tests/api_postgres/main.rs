//! The API suite again, against PostgreSQL: the very files of `tests/api`, with the backend
//! switched, plus what only a shared store can do (several instances behind one address).
//! Needs FACTORY_TEST_POSTGRES_URL (see `.ci/postgres-up`); without it the half is skipped.

pub const BACKEND: backend::Backend = backend::Backend::Postgres;

#[path = "../api/backend.rs"]
mod backend;
#[path = "../api/blackout.rs"]
mod blackout;
#[path = "../api/calendar.rs"]
mod calendar;
#[path = "../api/campaigns.rs"]
mod campaigns;
#[path = "../api/chaos.rs"]
mod chaos;
#[path = "../api/chaos_input.rs"]
mod chaos_input;
#[path = "../api/class_controls.rs"]
mod class_controls;
#[path = "../api/cluster_counts.rs"]
mod cluster_counts;
#[path = "../api/consistency.rs"]
mod consistency;
#[path = "../api/console.rs"]
mod console;
#[path = "../api/console_forms.rs"]
mod console_forms;
#[path = "../api/crash.rs"]
mod crash;
#[path = "../api/errors.rs"]
mod errors;
#[path = "../api/event_stream.rs"]
mod event_stream;
#[path = "../api/events.rs"]
mod events;
#[path = "../api/files.rs"]
mod files;
#[path = "../api/forged_tickets.rs"]
mod forged_tickets;
#[path = "../api/grades.rs"]
mod grades;
#[path = "../api/grades_console.rs"]
mod grades_console;
#[path = "../api/grades_exports.rs"]
mod grades_exports;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/hostile.rs"]
mod hostile;
#[path = "../api/hot_path.rs"]
mod hot_path;
#[path = "../api/incidents.rs"]
mod incidents;
#[path = "../api/instants.rs"]
mod instants;
#[path = "../api/key_rotation.rs"]
mod key_rotation;
#[path = "../api/minutes.rs"]
mod minutes;
#[path = "../api/money.rs"]
mod money;
#[path = "../api/monitoring.rs"]
mod monitoring;
#[path = "../api/operations.rs"]
mod operations;
#[path = "../api/paging.rs"]
mod paging;
#[path = "../api/process.rs"]
mod process;
#[path = "../api/process_notices.rs"]
mod process_notices;
#[path = "../api/receiver.rs"]
mod receiver;
#[path = "../api/report_url.rs"]
mod report_url;
#[path = "../api/reports.rs"]
mod reports;
#[path = "../api/roster.rs"]
mod roster;
#[path = "../api/scenarios.rs"]
mod scenarios;
#[path = "../api/shutdown.rs"]
mod shutdown;
#[path = "../api/student_page.rs"]
mod student_page;
#[path = "../api/term_plan.rs"]
mod term_plan;
#[path = "../api/tickets.rs"]
mod tickets;
#[path = "../api/vendor_lifetime.rs"]
mod vendor_lifetime;
#[path = "../api/vendors.rs"]
mod vendors;
#[path = "../api/webhook_deliveries.rs"]
mod webhook_deliveries;
#[path = "../api/webhook_events.rs"]
mod webhook_events;
#[path = "../api/webhooks.rs"]
mod webhooks;

mod cluster_processes;
mod decided;
mod event_order;
mod instances;
mod lifetimes;
mod shared_counts;
mod webhook_claims;

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
