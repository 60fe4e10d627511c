//! Incident counters counted on the order path, and the book of them a flush drains.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::store::StatsDelta;
use crate::tally::MinuteTally;

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
    /// Orders of the incident held in a throttle right now, on this instance. Here rather than
    /// on the chaos entry, which every directory reload rebuilds: the cap must survive reloads.
    throttled: AtomicU64,
    /// Wrong fix codes tried so far (as loaded, then counted here): only the first ones are
    /// written to the timeline, so a flood of guesses cannot grow the incident record. Here for
    /// the same reason as `throttled`: a reload must not start the count again.
    wrong_codes_seen: AtomicU64,
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
            throttled: AtomicU64::new(0),
            wrong_codes_seen: AtomicU64::new(0),
            dirty: AtomicBool::new(false),
        }
    }
}

impl Counters {
    /// Numbers an order of the incident, 1-based.
    pub fn next_order(&self) -> u64 {
        self.sequence.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Takes a place in the incident's throttle; returns how many were held before this one.
    pub fn hold(&self) -> u64 {
        self.throttled.fetch_add(1, Ordering::AcqRel)
    }

    /// Gives back a place taken with `hold`.
    pub fn release(&self) {
        self.throttled.fetch_sub(1, Ordering::AcqRel);
    }

    /// Counts a wrong fix code for the timeline's bound; returns how many were seen before it.
    pub fn see_wrong_code(&self) -> u64 {
        self.wrong_codes_seen.fetch_add(1, Ordering::Relaxed)
    }

    /// Raises the count of wrong codes seen to what the store holds (loaded with the incident).
    pub fn wrong_codes_at_least(&self, stored: u64) {
        self.wrong_codes_seen.fetch_max(stored, Ordering::Relaxed);
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
    /// Held from a drain until its deltas are in the store: a read that flushes first then
    /// waits for a flush in flight, instead of finding the counters drained and the store not
    /// yet written (and answering without those orders).
    flushing: tokio::sync::Mutex<()>,
}

impl StatsBook {
    /// Taken by whoever drains and writes the counters, for the whole of it.
    pub async fn flush_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.flushing.lock().await
    }

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

#[cfg(test)]
mod tests {
    use super::*;

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
