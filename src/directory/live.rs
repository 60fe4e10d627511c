//! A chaos as the order path applies it, built from the store's open incident.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::Counters;
use crate::domain::{ChaosMode, ChaosParams, FixCode, IncidentState, VendorId};
use crate::store::OpenIncident;

/// A scheduled or active chaos as the order path applies it.
#[derive(Debug)]
pub struct LiveChaos {
    pub incident_id: Uuid,
    pub vendor_id: VendorId,
    /// The lifetime of the vendor it belongs to: a vendor created later under the same id never
    /// gets it.
    pub vendor_uid: Option<Uuid>,
    pub mode: ChaosMode,
    pub params: ChaosParams,
    pub start_at: DateTime<Utc>,
    /// `start_at + maxDurationSecs`: from then on the chaos no longer bites.
    pub ends_at: Option<DateTime<Utc>>,
    pub fix_code: FixCode,
    pub report_url: String,
    /// Whether the store already says `active` (the start was recorded).
    pub started: std::sync::atomic::AtomicBool,
    pub counters: Arc<Counters>,
}

/// `start + secs`, or `None` when that is past the end of representable time: a stored duration
/// that long (the API caps it at 30 days) means the chaos never ends by itself, not a panic.
fn end_of(start: DateTime<Utc>, secs: u64) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(secs).ok()?;
    start.checked_add_signed(Duration::try_seconds(secs)?)
}

impl LiveChaos {
    pub fn from_open(open: OpenIncident, public_url: &str, counters: Arc<Counters>) -> Self {
        let inc = open.incident;
        let wrong_rows = inc.timeline.iter().filter(|e| e.kind == "wrong_fix_code").count() as u64;
        counters.wrong_codes_at_least(inc.stats.wrong_fix_codes.max(wrong_rows));
        let report_url = format!(
            "{public_url}/api/support/{}/report/{}",
            inc.vendor_id,
            open.fix_code.expose()
        );
        Self {
            incident_id: inc.id,
            ends_at: inc.max_duration_secs.and_then(|s| end_of(inc.start_at, s)),
            vendor_id: inc.vendor_id,
            vendor_uid: inc.vendor_uid,
            mode: inc.mode,
            params: inc.params,
            start_at: inc.start_at,
            fix_code: open.fix_code,
            report_url,
            started: (inc.state == IncidentState::Active).into(),
            counters,
        }
    }

    /// Whether orders at `now` get chaos: from the start second until resolved or expired.
    pub fn bites(&self, now: DateTime<Utc>) -> bool {
        now >= self.start_at && self.ends_at.is_none_or(|end| now < end)
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        now >= self.start_at
    }

    /// The same chaos (incident, fix code, counters, duration) starting at `start_at` instead.
    pub fn moved(&self, start_at: DateTime<Utc>) -> Self {
        Self {
            incident_id: self.incident_id,
            vendor_id: self.vendor_id.clone(),
            vendor_uid: self.vendor_uid,
            mode: self.mode,
            params: self.params.clone(),
            start_at,
            ends_at: self
                .ends_at
                .and_then(|end| end.checked_add_signed(start_at - self.start_at)),
            fix_code: self.fix_code.clone(),
            report_url: self.report_url.clone(),
            started: AtomicBool::new(false),
            counters: self.counters.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrepresentable_end_is_no_end() {
        let start = Utc::now();
        assert_eq!(end_of(start, 60), Some(start + Duration::seconds(60)));
        assert_eq!(end_of(start, 100_000_000_000_000), None);
        assert_eq!(end_of(start, u64::MAX), None);
    }
}
