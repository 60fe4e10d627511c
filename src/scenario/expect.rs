//! Expectations of a scenario, read from its `[expect]` table and checked against a drill's outcome.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::chaos::report::bitcoin;

/// A number a drill must produce: exactly (`8`), or within bounds (`{ min = 2, max = 6 }`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    pub min: f64,
    pub max: f64,
}

impl Bound {
    fn holds(&self, x: f64) -> bool {
        // Amounts are sums of ₿ prices: compare them as the report rounds them.
        x >= self.min - 1e-9 && x <= self.max + 1e-9
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else if self.max == f64::INFINITY {
            write!(f, "at least {}", self.min)
        } else {
            write!(f, "{} to {}", self.min, self.max)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// `key` of `stats`, summed over the drill's incidents.
    Stat { key: &'static str, bound: Bound },
    /// Failed orders as a percentage of attempted ones, over all incidents.
    FailedPercent(Bound),
    /// `secondsToResolve` of every incident.
    SecondsToResolve(Bound),
    /// The set of statuses the drill's orders were answered with.
    Statuses(BTreeSet<u16>),
    /// `state` of every incident.
    State(String),
    /// `resolvedBy` of every incident.
    ResolvedBy(String),
    /// Text every incident report must contain.
    ReportContains(Vec<String>),
    /// Tickets the verify endpoint accepted, or refused.
    Tickets { valid: bool, bound: Bound },
    /// `Retry-After` on every 503 the drill saw.
    RetryAfter(u64),
    /// The longest an order waited for its answer, in seconds of drill time.
    SlowestOrderSecs(Bound),
}

/// The keys `[expect]` accepts, with what each means, for error messages and the README.
pub const KEYS: &[&str] = &[
    "orders_failed",
    "orders_succeeded",
    "orders_affected",
    "lost_revenue",
    "wrong_fix_codes",
    "failed_percent",
    "seconds_to_resolve",
    "statuses",
    "state",
    "resolved_by",
    "report_contains",
    "tickets_valid",
    "tickets_invalid",
    "retry_after",
    "slowest_order_secs",
];

fn bound(value: &toml::Value) -> Result<Bound, String> {
    let number = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(x) => Some(*x),
        _ => None,
    };
    if let Some(x) = number(value) {
        return Ok(Bound { min: x, max: x });
    }
    let table = value
        .as_table()
        .ok_or("must be a number or a table { min = .., max = .. }")?;
    if let Some(k) = table.keys().find(|k| *k != "min" && *k != "max") {
        return Err(format!("unknown key {k:?}: a bound has only min and max"));
    }
    let side = |k: &str, default: f64| match table.get(k) {
        None => Ok(default),
        Some(v) => number(v).ok_or(format!("{k} must be a number")),
    };
    let b = Bound {
        min: side("min", f64::NEG_INFINITY)?,
        max: side("max", f64::INFINITY)?,
    };
    if table.is_empty() || b.min > b.max {
        return Err("needs min <= max".into());
    }
    Ok(b)
}

fn strings(value: &toml::Value) -> Result<Vec<String>, String> {
    let list = value.as_array().ok_or("must be an array of strings")?;
    list.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or("must be an array of strings".into())
        })
        .collect()
}

fn one_of(value: &toml::Value, allowed: &[&str]) -> Result<String, String> {
    value
        .as_str()
        .filter(|s| allowed.contains(s))
        .map(str::to_owned)
        .ok_or_else(|| format!("must be one of {}", allowed.join(", ")))
}

/// Reads one `[expect]` entry; the error says what the value should be.
pub fn from_toml(key: &str, value: &toml::Value) -> Result<Expect, String> {
    let stat = |name: &'static str| {
        Ok(Expect::Stat {
            key: name,
            bound: bound(value)?,
        })
    };
    match key {
        "orders_failed" => stat("ordersFailed"),
        "orders_succeeded" => stat("ordersSucceeded"),
        "orders_affected" => stat("ordersAffected"),
        "lost_revenue" => stat("lostRevenue"),
        "wrong_fix_codes" => stat("wrongFixCodes"),
        "failed_percent" => Ok(Expect::FailedPercent(bound(value)?)),
        "seconds_to_resolve" => Ok(Expect::SecondsToResolve(bound(value)?)),
        "slowest_order_secs" => Ok(Expect::SlowestOrderSecs(bound(value)?)),
        "tickets_valid" => Ok(Expect::Tickets {
            valid: true,
            bound: bound(value)?,
        }),
        "tickets_invalid" => Ok(Expect::Tickets {
            valid: false,
            bound: bound(value)?,
        }),
        "statuses" => {
            let list = value.as_array().ok_or("must be an array of HTTP status codes")?;
            list.iter()
                .map(|v| {
                    v.as_integer()
                        .filter(|c| (100..600).contains(c))
                        .map(|c| c as u16)
                        .ok_or_else(|| "must be an array of HTTP status codes".to_owned())
                })
                .collect::<Result<_, _>>()
                .map(Expect::Statuses)
        }
        "state" => Ok(Expect::State(one_of(
            value,
            &["scheduled", "active", "resolved", "cancelled", "expired"],
        )?)),
        "resolved_by" => Ok(Expect::ResolvedBy(one_of(value, &["report", "admin", "expiry"])?)),
        "report_contains" => Ok(Expect::ReportContains(strings(value)?)),
        "retry_after" => value
            .as_integer()
            .filter(|s| *s >= 0)
            .map(|s| Expect::RetryAfter(s as u64))
            .ok_or_else(|| "must be a number of seconds".into()),
        other => Err(format!("unknown expectation {other:?}; use one of {}", KEYS.join(", "))),
    }
}

/// What a drill saw: every order, and each incident with its Markdown report.
#[derive(Debug, Default)]
pub struct Observed {
    pub orders: Vec<OrderSeen>,
    pub incidents: Vec<Value>,
    pub reports: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct OrderSeen {
    pub vendor: String,
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    /// Seconds between sending and the answer, on the drill's clock.
    pub waited_secs: Option<f64>,
    pub verified: Option<bool>,
    /// The report URL the answer carried, which a student would find in the logs.
    pub report_url: Option<String>,
}

impl OrderSeen {
    /// What a vendor would count as a failure: an error status, no answer, or a ticket that
    /// does not verify.
    pub fn failed(&self) -> bool {
        self.status.is_none_or(|s| s >= 400) || self.verified == Some(false)
    }
}

/// One expectation's verdict, printed as a line.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub met: bool,
    pub line: String,
}

fn sum(obs: &Observed, key: &str) -> f64 {
    obs.incidents
        .iter()
        .map(|i| i["stats"][key].as_f64().unwrap_or(0.0))
        .sum()
}

fn every(obs: &Observed, field: &str, want: &str) -> (bool, String) {
    let got: Vec<String> = obs
        .incidents
        .iter()
        .map(|i| i[field].as_str().unwrap_or("none").to_owned())
        .collect();
    (!got.is_empty() && got.iter().all(|g| g == want), got.join(", "))
}

impl Expect {
    pub fn check(&self, obs: &Observed) -> Verdict {
        let (met, what, want, got) = match self {
            Expect::Stat { key, bound } => {
                let got = sum(obs, key);
                let shown = if *key == "lostRevenue" {
                    bitcoin(got)
                } else {
                    got.to_string()
                };
                (bound.holds(got), key.to_string(), bound.to_string(), shown)
            }
            Expect::FailedPercent(bound) => {
                let affected = sum(obs, "ordersAffected");
                let got = if affected > 0.0 {
                    sum(obs, "ordersFailed") * 100.0 / affected
                } else {
                    0.0
                };
                (
                    bound.holds(got.round()),
                    "failed %".into(),
                    bound.to_string(),
                    format!("{got:.0}"),
                )
            }
            Expect::SecondsToResolve(bound) => {
                let got: Vec<Option<f64>> = obs
                    .incidents
                    .iter()
                    .map(|i| i["stats"]["secondsToResolve"].as_f64())
                    .collect();
                let met = !got.is_empty() && got.iter().all(|g| g.is_some_and(|g| bound.holds(g)));
                let shown = got
                    .iter()
                    .map(|g| g.map_or("none".into(), |g| g.to_string()))
                    .collect::<Vec<_>>();
                (met, "secondsToResolve".into(), bound.to_string(), shown.join(", "))
            }
            Expect::Statuses(want) => {
                let got: BTreeSet<u16> = obs.orders.iter().filter_map(|o| o.status).collect();
                let list = |s: &BTreeSet<u16>| s.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
                (got == *want, "statuses".into(), list(want), list(&got))
            }
            Expect::State(want) => {
                let (met, got) = every(obs, "state", want);
                (met, "state".into(), want.clone(), got)
            }
            Expect::ResolvedBy(want) => {
                let (met, got) = every(obs, "resolvedBy", want);
                (met, "resolvedBy".into(), want.clone(), got)
            }
            Expect::ReportContains(texts) => {
                let missing: Vec<&String> = texts
                    .iter()
                    .filter(|t| obs.reports.is_empty() || obs.reports.iter().any(|r| !r.contains(t.as_str())))
                    .collect();
                let got = if missing.is_empty() {
                    "all found".into()
                } else {
                    format!("missing {missing:?}")
                };
                (missing.is_empty(), "report contains".into(), format!("{texts:?}"), got)
            }
            Expect::Tickets { valid, bound } => {
                let got = obs.orders.iter().filter(|o| o.verified == Some(*valid)).count() as f64;
                let what = if *valid { "tickets valid" } else { "tickets invalid" };
                (bound.holds(got), what.into(), bound.to_string(), got.to_string())
            }
            Expect::RetryAfter(want) => {
                let seen: Vec<Option<u64>> = obs
                    .orders
                    .iter()
                    .filter(|o| o.status == Some(503))
                    .map(|o| o.retry_after)
                    .collect();
                let met = !seen.is_empty() && seen.iter().all(|s| *s == Some(*want));
                let got = format!(
                    "{} answers with 503, Retry-After {:?}",
                    seen.len(),
                    seen.iter().flatten().collect::<BTreeSet<_>>()
                );
                (met, "Retry-After".into(), want.to_string(), got)
            }
            Expect::SlowestOrderSecs(bound) => {
                let got = obs.orders.iter().filter_map(|o| o.waited_secs).fold(0.0, f64::max);
                (
                    bound.holds(got.round()),
                    "slowest order (s)".into(),
                    bound.to_string(),
                    format!("{got:.0}"),
                )
            }
        };
        let mark = if met { "ok  " } else { "FAIL" };
        Verdict {
            met,
            line: format!("{mark} {what}: expected {want}, got {got}"),
        }
    }
}
