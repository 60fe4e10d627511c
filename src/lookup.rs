//! An API key this instance has not seen, looked up in the shared store: a vendor created on
//! another instance a moment ago works here at once, before the change notification arrives.
//! Random keys cost the store little: unknown ones are remembered briefly (a bounded LRU), and
//! lookups are bounded in number at once and per second; past either bound the key is unknown.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use hashlink::LruCache;
use tokio::sync::Semaphore;

use crate::domain::KeyHash;
use crate::store::{KeyOwner, Store, StoreResult};

/// How long a key the store did not know is taken as unknown without asking again.
const UNKNOWN_FOR: Duration = Duration::seconds(2);
/// At most this many unknown keys are remembered (about 60 bytes each); the oldest go first.
const UNKNOWN_CAP: usize = 10_000;
/// Lookups in flight at once; a pool connection each.
const AT_ONCE: usize = 4;
/// Lookups started per second of the factory's clock: a flood of distinct random keys costs
/// the store at most this many small indexed reads a second.
const PER_SECOND: u32 = 50;

pub struct KeyLookup {
    unknown: Mutex<LruCache<KeyHash, DateTime<Utc>>>,
    in_flight: Semaphore,
    /// The second (Unix) lookups are being counted in, and how many started in it.
    this_second: Mutex<(i64, u32)>,
}

impl Default for KeyLookup {
    fn default() -> Self {
        Self {
            unknown: Mutex::new(LruCache::new(UNKNOWN_CAP)),
            in_flight: Semaphore::new(AT_ONCE),
            this_second: Mutex::new((i64::MIN, 0)),
        }
    }
}

impl KeyLookup {
    fn known_unknown(&self, key: &KeyHash, now: DateTime<Utc>) -> bool {
        let mut unknown = self.unknown.lock().expect("unknown keys lock");
        match unknown.get(key) {
            Some(until) if now < *until => true,
            Some(_) => {
                unknown.remove(key);
                false
            }
            None => false,
        }
    }

    fn remember_unknown(&self, key: KeyHash, now: DateTime<Utc>) {
        self.unknown
            .lock()
            .expect("unknown keys lock")
            .insert(key, now + UNKNOWN_FOR);
    }

    /// Whether one more lookup may start in the second of `now`.
    fn take_budget(&self, now: DateTime<Utc>) -> bool {
        let mut counted = self.this_second.lock().expect("lookup budget lock");
        let second = now.timestamp();
        if counted.0 != second {
            *counted = (second, 0);
        }
        let allowed = counted.1 < PER_SECOND;
        if allowed {
            counted.1 += 1;
        }
        allowed
    }

    /// The vendor that owns `key` (not in this instance's directory), unless the store said
    /// lately that none does, or lookups are at their bounds.
    pub async fn find(&self, store: &dyn Store, key: KeyHash, now: DateTime<Utc>) -> StoreResult<Option<KeyOwner>> {
        if self.known_unknown(&key, now) {
            return Ok(None);
        }
        // Busy or over budget: unknown for now, without waiting and without remembering it,
        // so a real key is looked up on its next try.
        let Ok(_permit) = self.in_flight.try_acquire() else {
            return Ok(None);
        };
        if !self.take_budget(now) {
            return Ok(None);
        }
        let owner = store.vendor_by_key(key).await?;
        if owner.is_none() {
            self.remember_unknown(key, now);
        }
        Ok(owner)
    }

    /// How many unknown keys are remembered now.
    pub fn remembered(&self) -> usize {
        self.unknown.lock().expect("unknown keys lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hash(n: u32) -> KeyHash {
        KeyHash::of(&n.to_le_bytes())
    }

    #[test]
    fn unknown_keys_are_remembered_briefly_and_boundedly() {
        let lookup = KeyLookup::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
        for n in 0..(2 * UNKNOWN_CAP as u32) {
            lookup.remember_unknown(hash(n), now);
        }
        assert_eq!(lookup.remembered(), UNKNOWN_CAP);
        let last = hash(2 * UNKNOWN_CAP as u32 - 1);
        assert!(!lookup.known_unknown(&hash(0), now), "the oldest went first");
        assert!(lookup.known_unknown(&last, now + Duration::milliseconds(1999)));
        assert!(!lookup.known_unknown(&last, now + UNKNOWN_FOR), "asked again after 2 s");
    }

    #[test]
    fn lookups_per_second_are_bounded() {
        let lookup = KeyLookup::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
        let started = (0..200).filter(|_| lookup.take_budget(now)).count();
        assert_eq!(started, PER_SECOND as usize);
        assert!(
            lookup.take_budget(now + Duration::seconds(1)),
            "a new second, a new budget"
        );
    }
}
