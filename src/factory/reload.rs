//! Keeping the directory in step with the store: reloads, catching up with other instances,
//! and vendors whose keys this instance had not seen.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Factory;
use crate::directory::{LiveChaos, VendorEntry};
use crate::domain::{ApiKey, KeyHash};
use crate::store::{KeyOwner, StoreError};

impl Factory {
    /// Reads vendors, open chaos and the chaos pause from the store into the directory.
    pub async fn reload(&self) -> Result<(), StoreError> {
        if !self.settled_reload().await? {
            log::warn!("directory reload kept racing local writes; the next tick tries again");
        }
        Ok(())
    }

    /// A reload, read again if a local write raced it (the snapshot may predate the write); true
    /// once one was put in place.
    async fn settled_reload(&self) -> Result<bool, StoreError> {
        for _ in 0..3 {
            if self.try_reload().await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Catches up with changes other instances made to a shared store (vendors, keys, chaos,
    /// signing keys); a no-op when nothing changed or the store is this process's alone.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let Some(version) = self.store.change_version().await? else {
            return Ok(());
        };
        if self.seen_version.load(Ordering::Acquire) == version {
            return Ok(());
        }
        // The version is read first: a change committed after it bumps it again, so the next
        // refresh reloads once more instead of missing it. Reads run side by side: a change
        // is visible after one round trip, not five.
        let (reloaded, keys) = tokio::try_join!(self.settled_reload(), self.store.signing_keys())?;
        if let Err(e) = self.keyring.replace(&keys, self.clock.now()) {
            log::error!("could not load signing keys rotated by another instance: {e}");
        }
        if reloaded {
            self.seen_version.store(version, Ordering::Release);
        }
        Ok(())
    }

    /// The vendor `key` authenticates: from the directory, else (shared store only) from the
    /// store once, after which the directory has it.
    pub async fn vendor_by_key(&self, key: &ApiKey) -> Result<Option<Arc<VendorEntry>>, StoreError> {
        let hash = key.hash();
        if let Some(entry) = self.directory.by_key(&hash) {
            return Ok(Some(entry));
        }
        let Some(lookup) = &self.key_lookup else {
            return Ok(None);
        };
        match lookup.find(self.store.as_ref(), hash, self.clock.now()).await? {
            Some(owner) => Ok(self.adopt(owner, &hash).await),
            None => Ok(None),
        }
    }

    /// Puts a vendor looked up by key into the directory, unless a reload has read a snapshot
    /// at least as new (that one is right, the lookup may be stale). The vendor as the
    /// directory then holds it, if `key` authenticates it.
    async fn adopt(&self, owner: KeyOwner, key: &KeyHash) -> Option<Arc<VendorEntry>> {
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(entry) = self.directory.by_key(key) {
            return Some(entry);
        }
        if self.seen_version.load(Ordering::Acquire) >= owner.version {
            return None;
        }
        // Another lifetime of this id is another vendor: its chaos is not this one's.
        if self
            .directory
            .by_id(&owner.vendor.id)
            .is_some_and(|e| e.vendor.uid != owner.vendor.uid)
        {
            self.directory.remove_vendor(&owner.vendor.id);
        }
        self.directory.put_vendor(owner.vendor, Some(owner.keys));
        self.directory.by_key(key)
    }

    async fn try_reload(&self) -> Result<bool, StoreError> {
        let writes = self.directory.writes();
        let (vendors, open, pause) = tokio::try_join!(
            self.store.vendors(),
            self.store.open_incidents(),
            self.store.chaos_pause()
        )?;
        let chaos = open
            .into_iter()
            .map(|open| {
                let counters = self.stats.counters(open.incident.id);
                Arc::new(LiveChaos::from_open(open, &self.public_url, counters))
            })
            .collect();
        Ok(self
            .directory
            .replace_all(writes, vendors, chaos, pause.map(|p| p.until)))
    }
}
