//! Checking expectations against what a drill saw: the orders, the incidents and their reports.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Expect;
use crate::chaos::report::bitcoin;

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
