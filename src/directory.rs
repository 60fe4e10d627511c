//! The in-memory directory the order path reads: vendors by key hash, with their live chaos.
//! Every write goes to the store first, then here, so the hot path never touches the store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::{ChaosMode, ChaosParams, FixCode, IncidentState, KeyHash, Vendor, VendorId};
use crate::store::{OpenIncident, StatsDelta};
use crate::tally::MinuteTally;

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
    /// Orders of this chaos waiting in a throttle right now, on this instance.
    pub throttled: AtomicU64,
    /// Wrong fix codes tried so far (as loaded, then counted here): only the first ones are
    /// written to the timeline, so a flood of guesses cannot grow the incident record.
    pub wrong_codes_seen: AtomicU64,
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
        let wrong_codes_seen = AtomicU64::new(inc.stats.wrong_fix_codes.max(wrong_rows));
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
            throttled: AtomicU64::new(0),
            wrong_codes_seen,
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
            throttled: AtomicU64::new(0),
            wrong_codes_seen: AtomicU64::new(self.wrong_codes_seen.load(Ordering::Relaxed)),
        }
    }
}

/// Incident counters gathered on the order path and flushed to the store in batches.
#[derive(Debug)]
pub struct Counters {
    affected: AtomicU64,
    failed: AtomicU64,
    succeeded: AtomicU64,
    lost_satoshi: AtomicU64,
    wrong_fix_codes: AtomicU64,
    first_failure_ms: AtomicI64,
    minutes: MinuteTally,
    /// Orders seen by this instance, numbering them for flaky's `everyNth` and seeded draws.
    sequence: AtomicU64,
    /// Set after every count, so a flush skips the incidents nothing happened to: with a class
    /// of pending chaos, that is nearly all of them.
    dirty: AtomicBool,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            affected: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            lost_satoshi: AtomicU64::new(0),
            wrong_fix_codes: AtomicU64::new(0),
            first_failure_ms: AtomicI64::new(i64::MAX),
            minutes: MinuteTally::default(),
            sequence: AtomicU64::new(0),
            dirty: AtomicBool::new(false),
        }
    }
}

impl Counters {
    /// Numbers an order of the incident, 1-based.
    pub fn next_order(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// An order served a valid ticket at `at` (answered 200).
    pub fn record_success(&self, at: DateTime<Utc>) {
        self.affected.fetch_add(1, Ordering::Relaxed);
        self.succeeded.fetch_add(1, Ordering::Relaxed);
        self.minutes.count(at, 200, true);
        self.dirty.store(true, Ordering::Release);
    }

    /// An order denied a valid ticket at `at`, answered with `status`.
    pub fn record_failure(&self, at: DateTime<Utc>, lost_satoshi: u64, status: u16) {
        self.affected.fetch_add(1, Ordering::Relaxed);
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.minutes.count(at, status, false);
        self.add_lost(lost_satoshi);
        self.first_failure_ms
            .fetch_min(at.timestamp_millis(), Ordering::Relaxed);
        self.dirty.store(true, Ordering::Release);
    }

    pub fn record_wrong_fix_code(&self) {
        self.wrong_fix_codes.fetch_add(1, Ordering::Relaxed);
        self.dirty.store(true, Ordering::Release);
    }

    /// Saturates instead of wrapping: a figure stuck at its maximum is honest, a wrapped one lies.
    fn add_lost(&self, satoshi: u64) {
        let _ = self
            .lost_satoshi
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_add(satoshi))
            });
    }

    /// Whether anything was counted since the last call; counts made after it set the flag again.
    fn take_dirty(&self) -> bool {
        // A plain load first: most counters are clean, and a load does not claim the cache line.
        self.dirty.load(Ordering::Relaxed) && self.dirty.swap(false, Ordering::Acquire)
    }

    /// Takes everything counted since the last call.
    pub fn take(&self, incident: Uuid) -> StatsDelta {
        let first = self.first_failure_ms.swap(i64::MAX, Ordering::Relaxed);
        StatsDelta {
            incident,
            affected: self.affected.swap(0, Ordering::Relaxed),
            failed: self.failed.swap(0, Ordering::Relaxed),
            succeeded: self.succeeded.swap(0, Ordering::Relaxed),
            lost_satoshi: self.lost_satoshi.swap(0, Ordering::Relaxed),
            wrong_fix_codes: self.wrong_fix_codes.swap(0, Ordering::Relaxed),
            first_failure_at: (first != i64::MAX).then(|| crate::store::from_ms(first)),
            minutes: self.minutes.take(),
        }
    }

    /// Puts back a delta that could not be written, so the next flush retries it.
    pub fn restore(&self, d: &StatsDelta) {
        self.affected.fetch_add(d.affected, Ordering::Relaxed);
        self.failed.fetch_add(d.failed, Ordering::Relaxed);
        self.succeeded.fetch_add(d.succeeded, Ordering::Relaxed);
        self.add_lost(d.lost_satoshi);
        self.wrong_fix_codes.fetch_add(d.wrong_fix_codes, Ordering::Relaxed);
        if let Some(first) = d.first_failure_at {
            self.first_failure_ms
                .fetch_min(first.timestamp_millis(), Ordering::Relaxed);
        }
        self.minutes.restore(&d.minutes);
        self.dirty.store(true, Ordering::Release);
    }
}

/// Counters of every incident this instance has touched and not yet fully flushed.
#[derive(Debug, Default)]
pub struct StatsBook {
    counters: Mutex<HashMap<Uuid, Arc<Counters>>>,
}

impl StatsBook {
    pub fn counters(&self, incident: Uuid) -> Arc<Counters> {
        self.counters
            .lock()
            .expect("stats lock")
            .entry(incident)
            .or_default()
            .clone()
    }

    /// Takes all pending deltas; counters nobody else holds any more are forgotten.
    pub fn drain(&self) -> Vec<(Arc<Counters>, StatsDelta)> {
        let mut map = self.counters.lock().expect("stats lock");
        let deltas = map
            .iter()
            .filter(|(_, c)| c.take_dirty())
            .map(|(id, c)| (c.clone(), c.take(*id)))
            .filter(|(_, d)| !d.is_empty())
            .collect();
        map.retain(|_, c| Arc::strong_count(c) > 1);
        deltas
    }
}

#[derive(Debug)]
pub struct VendorEntry {
    pub vendor: Vendor,
    pub chaos: Option<Arc<LiveChaos>>,
}

#[derive(Default)]
struct Inner {
    by_key: HashMap<KeyHash, Arc<VendorEntry>>,
    by_id: HashMap<VendorId, (Arc<VendorEntry>, Vec<KeyHash>)>,
    /// Counts local writes, so a reload never puts back a snapshot older than one of them.
    writes: u64,
}

impl Inner {
    fn put(&mut self, entry: VendorEntry, keys: Vec<KeyHash>) {
        self.writes += 1;
        let id = entry.vendor.id.clone();
        if let Some((_, old_keys)) = self.by_id.remove(&id) {
            for k in old_keys {
                self.by_key.remove(&k);
            }
        }
        let entry = Arc::new(entry);
        for k in &keys {
            self.by_key.insert(*k, entry.clone());
        }
        self.by_id.insert(id, (entry, keys));
    }
}

/// No pause: the end of a pause as Unix milliseconds when none is set.
const NO_PAUSE: i64 = i64::MIN;

pub struct Directory {
    inner: RwLock<Inner>,
    /// The end of the chaos pause (Unix ms), beside the lock: the order path reads it per order.
    pause_until_ms: AtomicI64,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            inner: RwLock::default(),
            pause_until_ms: AtomicI64::new(NO_PAUSE),
        }
    }
}

impl Directory {
    pub fn by_key(&self, key: &KeyHash) -> Option<Arc<VendorEntry>> {
        self.inner.read().expect("directory lock").by_key.get(key).cloned()
    }

    pub fn by_id(&self, id: &VendorId) -> Option<Arc<VendorEntry>> {
        self.inner
            .read()
            .expect("directory lock")
            .by_id
            .get(id)
            .map(|(e, _)| e.clone())
    }

    pub fn all(&self) -> Vec<Arc<VendorEntry>> {
        let inner = self.inner.read().expect("directory lock");
        let mut all: Vec<_> = inner.by_id.values().map(|(e, _)| e.clone()).collect();
        all.sort_by(|a, b| a.vendor.id.cmp(&b.vendor.id));
        all
    }

    /// Whether `chaos` bites orders at `now`: from its start until its end, never during a pause.
    pub fn bites(&self, chaos: &LiveChaos, now: DateTime<Utc>) -> bool {
        chaos.bites(now) && self.pause_until(now).is_none()
    }

    /// The end of the chaos pause in force at `now`, if any.
    pub fn pause_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let until = self.pause_until_ms.load(Ordering::Acquire);
        (until != NO_PAUSE && now.timestamp_millis() < until).then(|| crate::store::from_ms(until))
    }

    /// Sets or lifts the pause after the store did.
    pub fn set_pause(&self, until: Option<DateTime<Utc>>) {
        let mut inner = self.inner.write().expect("directory lock");
        inner.writes += 1;
        self.pause_until_ms
            .store(until.map_or(NO_PAUSE, |t| t.timestamp_millis()), Ordering::Release);
    }

    pub fn live_chaos(&self) -> Vec<Arc<LiveChaos>> {
        let inner = self.inner.read().expect("directory lock");
        inner.by_id.values().filter_map(|(e, _)| e.chaos.clone()).collect()
    }

    /// Adds or updates a vendor, keeping its chaos; `keys` replaces its keys when given.
    pub fn put_vendor(&self, vendor: Vendor, keys: Option<Vec<KeyHash>>) {
        let mut inner = self.inner.write().expect("directory lock");
        let (chaos, old_keys) = match inner.by_id.get(&vendor.id) {
            Some((e, k)) => (e.chaos.clone(), k.clone()),
            None => (None, Vec::new()),
        };
        inner.put(VendorEntry { vendor, chaos }, keys.unwrap_or(old_keys));
    }

    pub fn remove_vendor(&self, id: &VendorId) {
        let mut inner = self.inner.write().expect("directory lock");
        inner.writes += 1;
        if let Some((_, keys)) = inner.by_id.remove(id) {
            for k in keys {
                inner.by_key.remove(&k);
            }
        }
    }

    pub fn set_chaos(&self, id: &VendorId, chaos: Option<Arc<LiveChaos>>) {
        let mut inner = self.inner.write().expect("directory lock");
        if let Some((entry, keys)) = inner.by_id.get(id).cloned() {
            inner.put(
                VendorEntry {
                    vendor: entry.vendor.clone(),
                    chaos,
                },
                keys,
            );
        }
    }

    /// Clears the chaos of a vendor if it is still the given incident.
    pub fn clear_chaos(&self, id: &VendorId, incident: Uuid) {
        self.replace_chaos(id, incident, None);
    }

    /// Replaces the chaos of a vendor if it is still the given incident (a move, or its end).
    pub fn replace_chaos(&self, id: &VendorId, incident: Uuid, chaos: Option<Arc<LiveChaos>>) {
        let mut inner = self.inner.write().expect("directory lock");
        if let Some((entry, keys)) = inner.by_id.get(id).cloned()
            && entry.chaos.as_ref().is_some_and(|c| c.incident_id == incident)
        {
            inner.put(
                VendorEntry {
                    vendor: entry.vendor.clone(),
                    chaos,
                },
                keys,
            );
        }
    }

    /// Marks the moment before a reload reads the store; see `replace_all`.
    pub fn writes(&self) -> u64 {
        self.inner.read().expect("directory lock").writes
    }

    /// Replaces everything at once (start-up, or a reload after another instance changed the
    /// store), unless this instance wrote since `writes_before` was taken: the snapshot read from
    /// the store may predate that write, so the caller reads again instead. True if replaced.
    pub fn replace_all(
        &self,
        writes_before: u64,
        vendors: Vec<(Vendor, Vec<KeyHash>)>,
        chaos: Vec<Arc<LiveChaos>>,
        pause_until: Option<DateTime<Utc>>,
    ) -> bool {
        let mut by_vendor: HashMap<VendorId, Arc<LiveChaos>> =
            chaos.into_iter().map(|c| (c.vendor_id.clone(), c)).collect();
        let mut fresh = Inner::default();
        for (vendor, keys) in vendors {
            let chaos = by_vendor
                .remove(&vendor.id)
                .filter(|c| c.vendor_uid == Some(vendor.uid));
            fresh.put(VendorEntry { vendor, chaos }, keys);
        }
        let mut inner = self.inner.write().expect("directory lock");
        if inner.writes != writes_before {
            return false;
        }
        fresh.writes = inner.writes;
        *inner = fresh;
        self.pause_until_ms.store(
            pause_until.map_or(NO_PAUSE, |t| t.timestamp_millis()),
            Ordering::Release,
        );
        true
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

    #[test]
    fn a_flush_takes_only_what_was_counted_and_a_delta_put_back_comes_again() {
        let book = StatsBook::default();
        let counters = book.counters(Uuid::new_v4());
        assert!(book.drain().is_empty());
        counters.record_failure(Utc::now(), 150_000_000, 500);
        let drained = book.drain();
        assert_eq!(drained.len(), 1);
        assert!(book.drain().is_empty(), "nothing new was counted");
        counters.restore(&drained[0].1);
        let again = book.drain();
        assert_eq!((again.len(), again[0].1.failed), (1, 1));
    }

    #[test]
    fn lost_revenue_saturates_instead_of_wrapping() {
        let counters = Counters::default();
        counters.record_failure(Utc::now(), u64::MAX - 1, 500);
        counters.record_failure(Utc::now(), 5, 500);
        let taken = counters.take(Uuid::new_v4());
        assert_eq!(taken.lost_satoshi, u64::MAX);
        counters.restore(&taken);
        counters.record_failure(Utc::now(), 5, 500);
        assert_eq!(counters.take(Uuid::new_v4()).lost_satoshi, u64::MAX);
    }
}
