//! Chaos modes and their parameters, validated before anything is scheduled.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChaosMode {
    Fail,
    Throttle,
    Badjwt,
    Flaky,
    Expiredjwt,
    Overload,
}

impl ChaosMode {
    pub const ALL: [ChaosMode; 6] = [
        ChaosMode::Fail,
        ChaosMode::Throttle,
        ChaosMode::Badjwt,
        ChaosMode::Flaky,
        ChaosMode::Expiredjwt,
        ChaosMode::Overload,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChaosMode::Fail => "fail",
            ChaosMode::Throttle => "throttle",
            ChaosMode::Badjwt => "badjwt",
            ChaosMode::Flaky => "flaky",
            ChaosMode::Expiredjwt => "expiredjwt",
            ChaosMode::Overload => "overload",
        }
    }

    /// What a failed order looks like to the vendor, for reports.
    pub fn failure_status(self) -> Option<&'static str> {
        match self {
            ChaosMode::Fail | ChaosMode::Flaky => Some("500 Internal Server Error"),
            ChaosMode::Overload => Some("503 Service Unavailable"),
            ChaosMode::Badjwt => Some("200 with a forged ticket that fails verification"),
            ChaosMode::Expiredjwt => Some("200 with an expired ticket that fails verification"),
            ChaosMode::Throttle => None,
        }
    }
}

impl fmt::Display for ChaosMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parameters as an admin sends them; unknown fields are refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChaosParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub every_nth: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

pub const DEFAULT_DELAY_MS: u64 = 32_000;
pub const DEFAULT_PROBABILITY: f64 = 0.5;
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 30;
/// The longest a chaos may be told to last: 30 days, a whole course's worth of one incident.
pub const MAX_DURATION_SECS: u64 = 30 * 24 * 3600;

/// Checks a requested maximum duration against the documented range.
pub fn check_max_duration(secs: u64) -> Result<u64, String> {
    if (1..=MAX_DURATION_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!(
            "maxDurationSecs must be from 1 to {MAX_DURATION_SECS} (30 days), not {secs}"
        ))
    }
}

/// How a flaky chaos picks the orders it fails.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flakiness {
    Probability(f64),
    EveryNth(u64),
}

impl ChaosParams {
    /// Checks the parameters against the mode and fills in defaults and the seed, so the stored
    /// params say exactly what ran.
    pub fn validate(mut self, mode: ChaosMode, max_delay_ms: u64, seed: u64) -> Result<Self, String> {
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err("params.probability must be between 0 and 1".into());
        }
        if self.every_nth == Some(0) {
            return Err("params.everyNth must be at least 1".into());
        }
        if let Some(d) = self.delay_ms
            && d > max_delay_ms
        {
            return Err(format!("params.delayMs must be at most {max_delay_ms}"));
        }
        let only = |field: &str, allowed: &[ChaosMode]| -> Result<(), String> {
            if allowed.contains(&mode) {
                Ok(())
            } else {
                Err(format!("params.{field} does not apply to mode {mode}"))
            }
        };
        if self.delay_ms.is_some() {
            only("delayMs", &[ChaosMode::Throttle])?;
        }
        if self.probability.is_some() {
            only("probability", &[ChaosMode::Flaky])?;
        }
        if self.every_nth.is_some() {
            only("everyNth", &[ChaosMode::Flaky])?;
        }
        if self.retry_after_secs.is_some() {
            only("retryAfterSecs", &[ChaosMode::Overload])?;
        }
        match mode {
            ChaosMode::Throttle => {
                self.delay_ms.get_or_insert(DEFAULT_DELAY_MS.min(max_delay_ms));
            }
            ChaosMode::Flaky => {
                if self.probability.is_some() && self.every_nth.is_some() {
                    return Err("params.probability and params.everyNth exclude each other".into());
                }
                if self.every_nth.is_none() {
                    self.probability.get_or_insert(DEFAULT_PROBABILITY);
                }
                self.seed.get_or_insert(seed);
            }
            ChaosMode::Overload => {
                self.retry_after_secs.get_or_insert(DEFAULT_RETRY_AFTER_SECS);
            }
            _ => {}
        }
        Ok(self)
    }

    pub fn flakiness(&self) -> Flakiness {
        match self.every_nth {
            Some(n) => Flakiness::EveryNth(n),
            None => Flakiness::Probability(self.probability.unwrap_or(DEFAULT_PROBABILITY)),
        }
    }
}

/// Whether order number `n` (1-based) of a flaky incident fails. Deterministic in the seed, so a
/// replay fails the same orders.
pub fn flaky_fails(flakiness: Flakiness, seed: u64, n: u64) -> bool {
    match flakiness {
        Flakiness::EveryNth(every) => n.is_multiple_of(every),
        Flakiness::Probability(p) => {
            // splitmix64 of (seed, n): a cheap, well-mixed, stateless draw.
            let mut z = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
            unit < p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_by_name_only() {
        for m in ChaosMode::ALL {
            assert_eq!(ChaosMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(ChaosMode::parse("FAIL"), None);
        assert_eq!(ChaosMode::parse("explode"), None);
    }

    #[test]
    fn params_are_checked_against_the_mode() {
        let p = |json: &str| serde_json::from_str::<ChaosParams>(json).unwrap();
        assert!(
            p(r#"{"probability":1.5}"#)
                .validate(ChaosMode::Flaky, 60_000, 1)
                .is_err()
        );
        assert!(
            p(r#"{"probability":-0.1}"#)
                .validate(ChaosMode::Flaky, 60_000, 1)
                .is_err()
        );
        assert!(
            p(r#"{"delayMs":60001}"#)
                .validate(ChaosMode::Throttle, 60_000, 1)
                .is_err()
        );
        assert!(p(r#"{"delayMs":10}"#).validate(ChaosMode::Fail, 60_000, 1).is_err());
        assert!(
            p(r#"{"probability":0.5,"everyNth":3}"#)
                .validate(ChaosMode::Flaky, 60_000, 1)
                .is_err()
        );
        assert!(serde_json::from_str::<ChaosParams>(r#"{"bogus":1}"#).is_err());
        let filled = ChaosParams::default().validate(ChaosMode::Flaky, 60_000, 42).unwrap();
        assert_eq!(filled.probability, Some(0.5));
        assert_eq!(filled.seed, Some(42));
        let throttle = ChaosParams::default().validate(ChaosMode::Throttle, 60_000, 1).unwrap();
        assert_eq!(throttle.delay_ms, Some(32_000));
    }

    #[test]
    fn max_durations_are_capped_at_30_days() {
        assert_eq!(check_max_duration(1), Ok(1));
        assert_eq!(check_max_duration(2_592_000), Ok(2_592_000));
        assert!(check_max_duration(0).unwrap_err().contains("maxDurationSecs"));
        assert!(check_max_duration(2_592_001).unwrap_err().contains("2592000"));
        assert!(check_max_duration(100_000_000_000_000).is_err());
    }

    #[test]
    fn flaky_draws_follow_probability_and_seed() {
        let fails = |p, seed| {
            (1..=10_000)
                .filter(|&n| flaky_fails(Flakiness::Probability(p), seed, n))
                .count()
        };
        assert_eq!(fails(0.0, 1), 0);
        assert_eq!(fails(1.0, 1), 10_000);
        let half = fails(0.5, 9);
        assert!((4_700..5_300).contains(&half), "{half}");
        assert_eq!(fails(0.3, 5), fails(0.3, 5));
        let nth: Vec<u64> = (1..=9).filter(|&n| flaky_fails(Flakiness::EveryNth(3), 0, n)).collect();
        assert_eq!(nth, vec![3, 6, 9]);
    }
}
