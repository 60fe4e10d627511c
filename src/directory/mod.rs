//! The in-memory directory the order path reads: vendors by key hash, with their live chaos.
//! Every write goes to the store first, then here, so the hot path never touches the store.

mod counters;
mod live;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::{KeyHash, Vendor, VendorId};
pub use counters::{Counters, StatsBook};
pub use live::LiveChaos;

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

    /// Replaces one vendor (or removes it: `None`) with its chaos, as a reload of that vendor
    /// read them, unless this instance wrote since `writes_before` (as `replace_all`).
    pub fn replace_vendor(
        &self,
        writes_before: u64,
        id: &VendorId,
        vendor: Option<(Vendor, Vec<KeyHash>)>,
        chaos: Option<Arc<LiveChaos>>,
    ) -> bool {
        let mut inner = self.inner.write().expect("directory lock");
        if inner.writes != writes_before {
            return false;
        }
        if let Some((_, keys)) = inner.by_id.remove(id) {
            for k in keys {
                inner.by_key.remove(&k);
            }
        }
        if let Some((vendor, keys)) = vendor {
            let chaos = chaos.filter(|c| c.vendor_uid == Some(vendor.uid));
            inner.put(VendorEntry { vendor, chaos }, keys);
            // Not a local write: the next reload must not be refused because of it.
            inner.writes = writes_before;
        }
        true
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
