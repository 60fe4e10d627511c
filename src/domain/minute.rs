//! Orders per minute of an incident: what its chart shows and what the stores add up.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::Serialize;

/// One minute's orders of an incident, from `at` (the start of a UTC minute).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Minute {
    #[serde(serialize_with = "crate::domain::instant::ms")]
    pub at: DateTime<Utc>,
    /// Orders that got a valid ticket.
    pub served: u64,
    /// Orders the chaos denied a valid ticket.
    pub failed: u64,
    /// Failed orders by the HTTP status they were answered with: a bad ticket is a `200`.
    pub by_status: BTreeMap<u16, u64>,
}

/// Orders of one minute answered with one status, served or failed: the unit the order path
/// counts and the stores add up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteCount {
    /// The start of the minute.
    pub at: DateTime<Utc>,
    pub status: u16,
    pub served: u64,
    pub failed: u64,
}

/// The start of the UTC minute `t` falls in.
pub fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    // Truncation cannot fail for a whole minute within chrono's range; keep `t` if it ever did.
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
}

/// Groups counts into minutes sorted by `at`; a status with no failed order is left out of
/// `byStatus`. Sums saturate: a figure stuck at its maximum is honest, a wrapped one lies.
pub fn minutes(counts: impl IntoIterator<Item = MinuteCount>) -> Vec<Minute> {
    let mut by_minute: BTreeMap<DateTime<Utc>, Minute> = BTreeMap::new();
    for c in counts {
        let m = by_minute.entry(c.at).or_insert_with(|| Minute {
            at: c.at,
            served: 0,
            failed: 0,
            by_status: BTreeMap::new(),
        });
        m.served = m.served.saturating_add(c.served);
        m.failed = m.failed.saturating_add(c.failed);
        if c.failed > 0 {
            let n = m.by_status.entry(c.status).or_default();
            *n = n.saturating_add(c.failed);
        }
    }
    by_minute.into_values().collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).unwrap()
    }

    #[test]
    fn an_instant_belongs_to_the_minute_it_falls_in() {
        let t = at(19, 4, 59) + TimeDelta::milliseconds(999);
        assert_eq!(minute_of(t), at(19, 4, 0));
        assert_eq!(minute_of(at(19, 5, 0)), at(19, 5, 0));
    }

    #[test]
    fn counts_group_by_minute_in_order_with_failures_by_status() {
        let count = |at, status, served, failed| MinuteCount {
            at,
            status,
            served,
            failed,
        };
        let grouped = minutes([
            count(at(19, 2, 0), 500, 0, 2),
            count(at(19, 1, 0), 200, 3, 1),
            count(at(19, 1, 0), 503, 0, 4),
            count(at(19, 2, 0), 200, 5, 0),
            count(at(19, 2, 0), 500, 0, u64::MAX),
        ]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].at, at(19, 1, 0));
        assert_eq!((grouped[0].served, grouped[0].failed), (3, 5));
        assert_eq!(grouped[0].by_status, BTreeMap::from([(200, 1), (503, 4)]));
        assert_eq!((grouped[1].served, grouped[1].failed), (5, u64::MAX));
        assert_eq!(grouped[1].by_status, BTreeMap::from([(500, u64::MAX)]));
        let json = serde_json::to_value(&grouped[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"at": "2026-12-01T19:01:00.000Z", "served": 3, "failed": 5, "byStatus": {"200": 1, "503": 4}})
        );
    }
}
