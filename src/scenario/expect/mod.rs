//! Expectations of a scenario, read from its `[expect]` table and checked against a drill's outcome.

mod check;

use std::collections::BTreeSet;
use std::fmt;

pub use check::{Observed, OrderSeen, Verdict};

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
