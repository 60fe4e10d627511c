//! Scenarios: chaos drills as TOML files, what they contain, and how a chaos is drawn from one.

pub mod campaign;
pub mod expect;
pub mod parse;
pub mod term;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::domain::window::next_day;
use crate::domain::{Blackout, ChaosMode, ChaosParams, ChaosWindow, VendorId};
use crate::random::Draws;
pub use expect::{Bound, Expect};
pub use parse::ScenarioError;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub file: PathBuf,
    /// One line, for listings.
    pub description: String,
    /// The comment block that opens the file: what the scenario teaches.
    pub teaches: String,
    /// The vendors a drill creates; the chaos is for each of them.
    pub vendors: Vec<VendorId>,
    pub chaos: ChaosSpec,
    pub orders: Vec<OrderSpec>,
    pub resolve: Resolution,
    pub expect: Vec<Expect>,
}

/// The scenario library, loaded once at start (`campaign::load`) and shared with the handlers
/// beside the factory: the factory itself knows nothing of scenarios.
#[derive(Debug, Default)]
pub struct Library {
    pub scenarios: Vec<Scenario>,
}

#[derive(Clone, Debug)]
pub struct ChaosSpec {
    /// Modes with their integer weights; one is drawn per vendor.
    pub modes: Vec<(ChaosMode, u32)>,
    /// Parameters for every mode they apply to; the others ignore them.
    pub params: ChaosParams,
    pub start: StartSpec,
    pub max_duration_secs: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StartSpec {
    /// After the moment the scenario is run or applied.
    Offset(Duration),
    At(DateTime<Utc>),
    Window(WindowSpec),
}

/// A daily window over a range of days, each vendor drawing its own day and second.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowSpec {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub tz: Tz,
    /// Days of the week the window is open; empty means every day.
    pub days: Vec<Weekday>,
    /// First day of the range; the day after the run or apply when absent.
    pub first_date: Option<NaiveDate>,
    /// Days in the range, counted from the first.
    pub span_days: u32,
    /// Inclusive ranges of dates on which the window stays shut (a holiday week).
    pub exclude: Vec<(NaiveDate, NaiveDate)>,
    /// The file's `blackout` dates (in the window's zone) and, once applied, the factory's:
    /// unlike `exclude`, a term never lifts them.
    pub blackout: Blackout,
}

#[derive(Clone, Debug)]
pub struct OrderSpec {
    pub vendors: Vec<VendorId>,
    /// When each order is sent, after the chaos starts (negative: before it).
    pub offsets: Vec<Duration>,
    pub items: Vec<Item>,
    /// Whether each ticket is checked with the verify endpoint.
    pub verify: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub menu_id: i64,
    pub description: String,
    pub price: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolution {
    /// A student calls the report URL this long after the chaos starts.
    Report(Duration),
    /// An instructor ends the chaos through the admin API this long after it starts.
    Admin(Duration),
    /// Nobody does; the chaos runs until its maximum duration, if it has one.
    Never,
}

/// One vendor's chaos, drawn from the spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub mode: ChaosMode,
    pub params: ChaosParams,
    pub start: PlannedStart,
    pub max_duration_secs: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlannedStart {
    At(DateTime<Utc>),
    /// The factory draws the second inside this day's window.
    Window(ChaosWindow),
}

impl ChaosSpec {
    /// The blackout dates its window honours (none for other starts).
    pub fn blackout(&self) -> Blackout {
        match &self.start {
            StartSpec::Window(w) => w.blackout.clone(),
            _ => Blackout::default(),
        }
    }

    /// Draws a mode by weight and, for a window, a day of the range whose window is still ahead.
    pub fn plan(&self, now: DateTime<Utc>, draws: &Draws) -> Result<Plan, String> {
        let total: i64 = self.modes.iter().map(|(_, w)| i64::from(*w)).sum();
        let mut ticket = draws.below(0, total);
        let mut mode = self.modes[0].0;
        for (m, w) in &self.modes {
            if ticket < i64::from(*w) {
                mode = *m;
                break;
            }
            ticket -= i64::from(*w);
        }
        let start = match &self.start {
            StartSpec::Offset(d) => PlannedStart::At(
                now.checked_add_signed(*d)
                    .ok_or("the start offset reaches past representable time")?,
            ),
            StartSpec::At(t) => PlannedStart::At(*t),
            StartSpec::Window(w) => {
                let days = w.open_days(now);
                if days.is_empty() {
                    return Err(format!(
                        "the window has no day left that is still ahead{}",
                        w.blackout_note()
                    ));
                }
                PlannedStart::Window(days[draws.below(0, days.len() as i64) as usize])
            }
        };
        Ok(Plan {
            mode,
            params: params_for(&self.params, mode),
            start,
            max_duration_secs: self.max_duration_secs,
        })
    }
}

/// Only the parameters that apply to `mode`, so the factory's checks accept them.
fn params_for(p: &ChaosParams, mode: ChaosMode) -> ChaosParams {
    ChaosParams {
        delay_ms: p.delay_ms.filter(|_| mode == ChaosMode::Throttle),
        probability: p.probability.filter(|_| mode == ChaosMode::Flaky),
        every_nth: p.every_nth.filter(|_| mode == ChaosMode::Flaky),
        seed: None,
        retry_after_secs: p.retry_after_secs.filter(|_| mode == ChaosMode::Overload),
    }
}

impl WindowSpec {
    /// The windows of the range on the allowed, not excluded days that start after `now`. When
    /// the range holds no allowed day at all, the next allowed day after it is taken instead.
    pub fn open_days(&self, now: DateTime<Utc>) -> Vec<ChaosWindow> {
        let span = i64::from(self.span_days.max(1));
        let mut dates = self.dates(now, 0..span);
        if dates.is_empty() {
            dates.extend(self.dates(now, span..span + 7).into_iter().take(1));
        }
        self.ahead(now, dates)
    }

    /// The windows of the range itself, with no fallback past its end: what a term plan draws
    /// from, so exclusions that close every day are an error and not a day after the term.
    pub fn days_in_span(&self, now: DateTime<Utc>) -> Vec<ChaosWindow> {
        self.ahead(now, self.dates(now, 0..i64::from(self.span_days.max(1))))
    }

    /// The first day of the range.
    pub fn first(&self, now: DateTime<Utc>) -> NaiveDate {
        self.first_date.unwrap_or_else(|| next_day(self.tz, now))
    }

    /// Days `range` (counted from the first) that are allowed and not excluded.
    fn dates(&self, now: DateTime<Utc>, range: std::ops::Range<i64>) -> Vec<NaiveDate> {
        let first = self.first(now);
        let open = |d: &NaiveDate| {
            (self.days.is_empty() || self.days.contains(&d.weekday()))
                && !self.exclude.iter().any(|(from, to)| (from..=to).contains(&d))
        };
        // Checked: a first date at the calendar's edge gives fewer days, not a panic.
        range
            .filter_map(|i| first.checked_add_days(chrono::Days::new(i as u64)))
            .filter(open)
            .collect()
    }

    fn ahead(&self, now: DateTime<Utc>, dates: Vec<NaiveDate>) -> Vec<ChaosWindow> {
        dates
            .into_iter()
            .map(|date| ChaosWindow {
                from: self.from,
                to: self.to,
                tz: self.tz,
                date,
            })
            .filter(|w| w.bounds().is_ok_and(|(start, _)| start > now) && w.open_under(&self.blackout))
            .collect()
    }

    /// How an error about days left names the blackout dates, if any shut some.
    pub fn blackout_note(&self) -> String {
        if self.blackout.is_empty() {
            String::new()
        } else {
            format!(" off the blackout dates ({})", self.blackout.describe())
        }
    }
}

/// Every `*.toml` file of a directory, in name order; broken files come back as errors.
pub fn load_dir(dir: &Path) -> (Vec<Scenario>, Vec<ScenarioError>) {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(_) => return (Vec::new(), Vec::new()),
    };
    paths.sort();
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match parse::load(&path) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e),
        }
    }
    (scenarios, errors)
}

/// What a scenario will do, in a few lines, for `drill --check` and listings.
pub fn describe(s: &Scenario) -> String {
    let modes: Vec<String> = s.chaos.modes.iter().map(|(m, w)| format!("{m} (weight {w})")).collect();
    let start = match &s.chaos.start {
        StartSpec::Offset(d) => format!("{}s after the run or apply", d.num_seconds()),
        StartSpec::At(t) => format!("at {}", t.to_rfc3339()),
        StartSpec::Window(w) => format!(
            "at a random moment between {} and {} ({}) on one of {} day(s){}",
            w.from.format("%H:%M"),
            w.to.format("%H:%M"),
            w.tz,
            w.span_days,
            if w.days.is_empty() {
                String::new()
            } else {
                format!(" open on {:?}", w.days)
            }
        ),
    };
    let orders: usize = s.orders.iter().map(|o| o.offsets.len() * o.vendors.len()).sum();
    let resolve = match s.resolve {
        Resolution::Report(d) => format!("the report URL is called {}s after chaos starts", d.num_seconds()),
        Resolution::Admin(d) => format!("an admin ends it {}s after chaos starts", d.num_seconds()),
        Resolution::Never => "nobody resolves it".into(),
    };
    format!(
        "scenario {} ({}): ok\n  {}\n  chaos: {}\n  starts: {start}\n  vendors: {}\n  orders: {orders}\n  resolution: {resolve}\n  expectations: {}\n",
        s.name,
        s.file.display(),
        s.description,
        modes.join(", "),
        s.vendors.iter().map(VendorId::as_str).collect::<Vec<_>>().join(", "),
        s.expect.len()
    )
}
