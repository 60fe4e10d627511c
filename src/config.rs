//! Configuration: command-line flags, each with an environment variable of the same meaning.

use std::path::PathBuf;

use chrono::NaiveTime;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand};

use crate::domain::blackout::DateRange;
use crate::domain::ip_block::Block;
use crate::domain::window::{parse_time, parse_tz};
use crate::tickets::Algorithm;

#[derive(Debug, Parser)]
#[command(
    name = "pizza-factory",
    version,
    about = "Bakes signed JWT pizza tickets for JWT Pizza vendors, and injects chaos to teach incident response."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the factory's HTTP API (the default).
    Serve,
    /// Exit 0 if the factory at --host/--port answers /readyz (for container health checks).
    Probe,
    /// Replay a scenario file as a drill, print its incident reports and check its expectations.
    Drill(DrillArgs),
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Run against the live factory at this URL, in real time, with --admin-key.
    #[arg(long)]
    pub url: Option<String>,
    /// Only read and check the file, and say what it would do.
    #[arg(long)]
    pub check: bool,
    /// With --url and output that is not a terminal: seconds between progress lines.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub progress_every: u32,
}

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "FACTORY_HOST", default_value = "127.0.0.1", global = true)]
    pub host: String,
    /// Port to listen on; 0 picks a free port and logs it.
    #[arg(long, env = "FACTORY_PORT", default_value_t = 4000, global = true)]
    pub port: u16,
    /// Store location: an SQLite file path or sqlite:// URL (default: <data dir>/factory.db), or a
    /// postgres:// URL for several instances sharing one PostgreSQL database.
    #[arg(long, env = "FACTORY_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the embedded database and admin.key.
    #[arg(long, env = "FACTORY_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Base of report URLs handed to vendors (default: http://<host>:<port>).
    #[arg(long, env = "FACTORY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// API key of the `admin` vendor; on a later start it is added as a valid admin key.
    #[arg(long, env = "FACTORY_ADMIN_KEY", hide_env_values = true, global = true)]
    pub admin_key: Option<String>,
    /// Directory of chaos scenario files.
    #[arg(long, env = "FACTORY_SCENARIO_DIR", default_value = "./scenarios", global = true)]
    pub scenario_dir: PathBuf,
    /// Ticket signing algorithm: EdDSA, ES256 or RS256.
    #[arg(long, env = "FACTORY_TICKET_ALG", default_value = "EdDSA", value_parser = parse_alg, global = true)]
    pub ticket_alg: Algorithm,
    /// `iss` claim of every ticket.
    #[arg(long, env = "FACTORY_ISSUER", default_value = "pizza-factory", global = true)]
    pub issuer: String,
    /// Ticket lifetime in seconds (`exp` - `iat`).
    #[arg(long, env = "FACTORY_TICKET_LIFETIME_SECS", default_value_t = 86_400, value_parser = clap::value_parser!(u32).range(60..), global = true)]
    pub ticket_lifetime_secs: u32,
    /// Time zone of chaos windows and incident reports.
    #[arg(long, env = "FACTORY_TIME_ZONE", default_value = "America/Denver", value_parser = |s: &str| parse_tz("time zone", s), global = true)]
    pub time_zone: Tz,
    /// Daily chaos window for vendors' own requests and admin defaults, as HH:MM-HH:MM.
    #[arg(long, env = "FACTORY_CHAOS_WINDOW", default_value = "08:00-14:00", value_parser = parse_window, global = true)]
    pub chaos_window: (NaiveTime, NaiveTime),
    /// Largest `delayMs` a throttle chaos may ask for.
    #[arg(long, env = "FACTORY_MAX_DELAY_MS", default_value_t = 120_000, global = true)]
    pub max_delay_ms: u64,
    /// Whether vendors may read their own ended incidents (on|off).
    #[arg(long, env = "FACTORY_VENDOR_INCIDENTS", default_value = "on", value_parser = parse_switch, global = true)]
    pub vendor_incidents: bool,
    /// Dollars per bitcoin: incident stats gain `lostRevenueUsd` and reports show dollars too.
    #[arg(long, env = "FACTORY_BTC_USD", value_parser = parse_rate, global = true)]
    pub btc_usd: Option<f64>,
    /// Whether vendors may ask for chaos of their own with `PUT /api/vendor/chaos/{mode}` (on|off).
    #[arg(long, env = "FACTORY_VENDOR_SELF_CHAOS", default_value = "on", value_parser = parse_switch, global = true)]
    pub vendor_self_chaos: bool,
    /// Seed of the chaos draws (start instants, flaky seeds); random when unset.
    #[arg(long, env = "FACTORY_SEED", global = true)]
    pub seed: Option<u64>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "FACTORY_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Bearer token that may read /metrics besides admin keys.
    #[arg(long, env = "FACTORY_METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
    /// Throttled orders one vendor may have waiting; beyond, the chaos answers at once.
    #[arg(
        long,
        env = "FACTORY_MAX_THROTTLED_PER_VENDOR",
        default_value_t = 10_000,
        global = true
    )]
    pub max_throttled_per_vendor: u64,
    /// Throttled orders all vendors together may have waiting.
    #[arg(long, env = "FACTORY_MAX_THROTTLED_TOTAL", default_value_t = 50_000, global = true)]
    pub max_throttled_total: u64,
    /// Milliseconds a client gets to send its request head, and again its body, before it is
    /// answered 408 (a slow body holds a connection, a file descriptor, until then).
    #[arg(long, env = "FACTORY_CLIENT_TIMEOUT_MS", default_value_t = 5_000, global = true)]
    pub client_timeout_ms: u64,
    /// Report-URL calls one client address may make per minute, all vendors together.
    #[arg(long, env = "FACTORY_REPORT_CALLS_PER_MINUTE", default_value_t = 120, global = true)]
    pub report_calls_per_minute: usize,
    /// Proxies (addresses or blocks, comma-separated) whose X-Forwarded-For is believed, so
    /// per-client limits count students, not the load balancer.
    #[arg(long, env = "FACTORY_TRUSTED_PROXIES", default_value = "", value_parser = parse_blocks, global = true)]
    pub trusted_proxies: Blocks,
    /// Most simultaneous connections per worker; lowered at start if `workers` times it would not
    /// fit under the open-file limit (RLIMIT_NOFILE), which is raised first as far as allowed.
    #[arg(long, env = "FACTORY_MAX_CONNECTIONS", default_value_t = 25_000, global = true)]
    pub max_connections: usize,
    /// Seconds in-flight requests get to finish at shutdown.
    #[arg(long, env = "FACTORY_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10, global = true)]
    pub shutdown_timeout_secs: u64,
    /// Minutes an instructor console session lasts unused before it must sign in again.
    #[arg(long, env = "FACTORY_SESSION_IDLE_MINUTES", default_value_t = 720, value_parser = clap::value_parser!(u32).range(1..=525_600), global = true)]
    pub session_idle_minutes: u32,
    /// Points a grade loses per hour from the start of chaos to its resolution.
    #[arg(long, env = "FACTORY_GRADE_PENALTY_PER_HOUR", default_value = "5", value_parser = crate::domain::grade::parse_penalty, global = true)]
    pub grade_penalty_per_hour: f64,
    /// The lowest grade an incident can earn (0 to 100).
    #[arg(long, env = "FACTORY_GRADE_FLOOR", default_value = "0", value_parser = crate::domain::grade::parse_floor, global = true)]
    pub grade_floor: f64,
    /// Blackout dates in the configured zone, on which no chaos starts: dates and inclusive
    /// ranges, comma-separated, such as 2026-12-21..2027-01-04,2027-03-16.
    #[arg(long, env = "FACTORY_BLACKOUT", default_value = "", value_parser = parse_blackout, global = true)]
    pub blackout: BlackoutDates,
    /// Let webhooks target loopback, private and link-local addresses (on|off, 1|0): off, a
    /// webhook could reach the factory's own network or a cloud metadata service.
    #[arg(long, env = "FACTORY_WEBHOOK_ALLOW_PRIVATE", default_value = "off", value_parser = parse_switch, global = true)]
    pub webhook_allow_private: bool,
    /// Event streams (`/api/admin/events/stream`) one instance keeps open at once; beyond, 503.
    #[arg(long, env = "FACTORY_MAX_EVENT_STREAMS", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000), global = true)]
    pub max_event_streams: u32,
    /// Milliseconds between the comment lines that keep an idle event stream open.
    #[arg(long, env = "FACTORY_EVENT_HEARTBEAT_MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(100..=3_600_000), global = true)]
    pub event_heartbeat_ms: u64,
}

/// The configured blackout dates (a named type, so clap takes the whole list as one value).
#[derive(Clone, Debug, Default)]
pub struct BlackoutDates(pub Vec<DateRange>);

fn parse_blackout(raw: &str) -> Result<BlackoutDates, String> {
    crate::domain::blackout::parse_list("FACTORY_BLACKOUT", raw).map(BlackoutDates)
}

/// A list of address blocks (a named type, so clap takes the whole list as one value).
#[derive(Clone, Debug, Default)]
pub struct Blocks(pub Vec<Block>);

fn parse_blocks(raw: &str) -> Result<Blocks, String> {
    crate::domain::ip_block::parse_blocks(raw).map(Blocks)
}

fn parse_alg(raw: &str) -> Result<Algorithm, String> {
    Algorithm::parse(raw).ok_or_else(|| "must be EdDSA, ES256 or RS256".into())
}

fn parse_window(raw: &str) -> Result<(NaiveTime, NaiveTime), String> {
    let (from, to) = raw.split_once('-').ok_or("must be HH:MM-HH:MM")?;
    Ok((
        parse_time("window start", from.trim())?,
        parse_time("window end", to.trim())?,
    ))
}

fn parse_rate(raw: &str) -> Result<f64, String> {
    match raw.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 && rate < 1e12 => Ok(rate),
        _ => Err("must be a positive number of dollars per bitcoin, such as 96619.10".into()),
    }
}

fn parse_switch(raw: &str) -> Result<bool, String> {
    match raw {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err("must be on or off".into()),
    }
}

impl Config {
    /// Defaults for an in-process factory (tests, drills): ephemeral port, everything else stock.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        let mut config = Cli::parse_from(["pizza-factory"]).config;
        config.data_dir = data_dir;
        config.port = 0;
        config
    }

    /// How incidents are graded.
    pub fn grade_rule(&self) -> crate::domain::grade::GradeRule {
        crate::domain::grade::GradeRule {
            penalty_per_hour: self.grade_penalty_per_hour,
            floor: self.grade_floor,
        }
    }

    /// The PostgreSQL URL, when the store is a shared PostgreSQL database.
    pub fn postgres_url(&self) -> Option<&str> {
        self.database_url
            .as_deref()
            .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
    }

    pub fn sqlite_path(&self) -> PathBuf {
        match self.database_url.as_deref() {
            Some(url) => PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url)),
            None => self.data_dir.join("factory.db"),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;

    #[test]
    fn a_bad_blackout_list_stops_the_start_with_the_entry_named() {
        let err = Cli::try_parse_from(["pizza-factory", "--blackout", "2026-12-21..2027-01-04,2027-02-30"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("FACTORY_BLACKOUT: \"2027-02-30\" is not a date YYYY-MM-DD or a range"),
            "{err}"
        );
        let ok = Cli::try_parse_from(["pizza-factory", "--blackout", "2026-12-21..2027-01-04,2027-03-16"]).unwrap();
        assert_eq!(ok.config.blackout.0.len(), 2);
    }
}
