//! Real-browser journeys: the factory in-process (SQLite, manual clock) and Debian's headless
//! Chromium driven through chromedriver (WebDriver). Each journey saves screenshots to
//! `docs/screenshots/`, where the README shows them. Without chromedriver and chromium the
//! journeys are skipped, saying why, except under CI (`CI` set), where they fail.

pub const BACKEND: backend::Backend = backend::Backend::Sqlite;

// The API suite's harness, shared rather than copied; this binary uses only part of it.
#[allow(dead_code)]
#[path = "../api/backend.rs"]
mod backend;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

mod console_journey;
mod driver;
mod grades_journey;
mod student_journey;
