//! Timings of several instances on one PostgreSQL (changes pushed through LISTEN/NOTIFY), in a
//! test binary of their own: cargo runs test binaries one after another, and these tests take
//! turns (`alone`), so what they time is the factory, not the rest of the suite running beside.
//! Needs FACTORY_TEST_POSTGRES_URL, as `tests/api_postgres`.

pub const BACKEND: backend::Backend = backend::Backend::Postgres;

// The API suite's harness, shared rather than copied; this binary uses only part of it.
#[allow(dead_code)]
#[path = "../api/backend.rs"]
mod backend;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod push;

/// Taken for the whole of each test, so no two of them run at once.
pub async fn alone() -> tokio::sync::MutexGuard<'static, ()> {
    static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ALONE.lock().await
}
