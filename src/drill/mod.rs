//! Runs a scenario as a drill, over HTTP like a vendor, a student and an instructor would: on an
//! in-process factory with a manual clock, or against a live factory in real time.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};

mod outcome;
mod runner;
mod target;
mod timebase;

use crate::clock::ManualClock;
use crate::config::Config;
use crate::domain::ApiKey;
use crate::random::Draws;
use crate::scenario::{self, Resolution, Scenario, StartSpec};
use crate::startup::Application;
pub use outcome::DrillOutcome;
use runner::run;
use target::Target;
use timebase::Timebase;

/// Where a drill starts its clock unless the chaos has a fixed instant: 08:00 in Denver on a
/// winter Tuesday, so reports read the same on every machine.
pub fn drill_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap()
}

/// Runs the drill on a fresh in-process factory with a manual clock; `btc_usd` prices its
/// reports in dollars too, as `FACTORY_BTC_USD` does for a factory.
pub async fn run_in_process(scenario: &Scenario, seed: u64, btc_usd: Option<f64>) -> Result<DrillOutcome, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let mut config = Config::for_data_dir(dir.path().join("data"));
    let admin_key = ApiKey::generate();
    config.host = "127.0.0.1".into();
    config.database_url = None;
    config.public_url = None;
    config.admin_key = Some(admin_key.expose().to_owned());
    config.scenario_dir = dir.path().join("scenarios");
    config.seed = Some(seed);
    config.btc_usd = btc_usd;
    config.workers = Some(1);
    config.shutdown_timeout_secs = 1;
    let clock = Arc::new(ManualClock::new(start_of_clock(scenario)));
    let app = Application::build(config, clock.clone(), Arc::new(Draws::seeded(seed)))
        .await
        .map_err(|e| format!("cannot start the in-process factory: {e}"))?;
    let target = Target {
        client: reqwest::Client::new(),
        url: format!("http://127.0.0.1:{}", app.port()),
        admin_key: admin_key.expose().to_owned(),
    };
    let time = Timebase::Virtual {
        clock,
        factory: app.factory(),
    };
    let handle = app.handle();
    let served = tokio::spawn(app.run_until_stopped());
    let outcome = run(scenario, seed, &target, &time, false).await;
    handle.stop(true).await;
    let _ = served.await;
    outcome
}

/// Runs the drill against a live factory in real time, with vendors of its own.
/// `progress_every`: how often a progress line is written when output is not a terminal.
pub async fn run_live(
    scenario: &Scenario,
    seed: u64,
    url: &str,
    admin_key: &str,
    progress_every: Duration,
) -> Result<DrillOutcome, String> {
    let target = Target {
        client: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(300))
            .build()
            .map_err(|e| e.to_string())?,
        url: url.trim_end_matches('/').to_owned(),
        admin_key: admin_key.to_owned(),
    };
    let now = Utc::now();
    let time = Timebase::Live {
        began: now,
        ends: now + last_event(scenario) + Duration::seconds(5),
        seen: Arc::new(Mutex::new(Vec::new())),
        every: progress_every,
        last_line: Mutex::new(now),
    };
    run(scenario, seed, &target, &time, true).await
}

/// The earliest the in-process clock can start and still schedule everything ahead of it.
fn start_of_clock(scenario: &Scenario) -> DateTime<Utc> {
    let earliest_order = scenario
        .orders
        .iter()
        .flat_map(|o| o.offsets.iter().copied())
        .min()
        .unwrap_or_default()
        .min(Duration::zero());
    match scenario.chaos.start {
        StartSpec::At(t) => t + earliest_order - Duration::minutes(1),
        _ => drill_epoch(),
    }
}

/// How long after the chaos starts the drill's last step comes, for the progress line.
fn last_event(scenario: &Scenario) -> Duration {
    let orders = scenario.orders.iter().flat_map(|o| o.offsets.iter().copied()).max();
    let end = match scenario.resolve {
        Resolution::Report(d) | Resolution::Admin(d) => Some(d),
        Resolution::Never => scenario.chaos.max_duration_secs.map(|s| Duration::seconds(s as i64)),
    };
    orders.into_iter().chain(end).max().unwrap_or_default() + Duration::seconds(5)
}

/// `pizza-factory drill FILE`: exit 0 when every expectation is met, 1 when one is not, 2 when
/// the file is broken or the drill could not run.
pub async fn command(args: &crate::config::DrillArgs, config: &Config) -> std::process::ExitCode {
    use std::process::ExitCode;
    let scenario = match scenario::parse::load(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        print!("{}", scenario::describe(&scenario));
        return ExitCode::SUCCESS;
    }
    let seed = config.seed.unwrap_or_else(|| Draws::from_os().seed());
    println!("drill {} ({}), seed {seed}", scenario.name, args.file.display());
    let outcome = match (&args.url, &config.admin_key) {
        (Some(url), Some(key)) => {
            let every = Duration::seconds(i64::from(args.progress_every));
            run_live(&scenario, seed, url, key, every).await
        }
        (Some(_), None) => Err("--url needs --admin-key (or FACTORY_ADMIN_KEY)".into()),
        (None, _) => run_in_process(&scenario, seed, config.btc_usd).await,
    };
    match outcome {
        Ok(outcome) => {
            print!("{}", outcome.render());
            if outcome.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("drill {} failed to run: {e}", scenario.name);
            ExitCode::from(2)
        }
    }
}
