//! The event feed of this instance: one poller reads new events from the store and broadcasts
//! them to every open stream, so a hundred open streams cost one query per tick, not a hundred.
//! The feed itself, apart from the streams and the poller (`events`), so the factory can hold it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, broadcast};

use crate::domain::Event;
use crate::store::{Store, StoreError};

/// The most events one store read returns (and the largest page of the list).
pub const PAGE: usize = 1000;
/// Events the broadcast holds for a slow stream; one further behind re-reads from the store.
const BACKLOG: usize = 1024;

pub struct EventFeed {
    sender: broadcast::Sender<Arc<Event>>,
    /// The highest seq broadcast so far.
    last: AtomicI64,
    /// One permit per open stream: a bound on the tasks and connections streams hold.
    streams: Arc<Semaphore>,
    pub heartbeat: Duration,
}

impl EventFeed {
    pub fn new(max_streams: usize, heartbeat: Duration) -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
            last: AtomicI64::new(0),
            streams: Arc::new(Semaphore::new(max_streams)),
            heartbeat,
        }
    }

    /// Starts where the store ends: the events before are read by each stream itself.
    pub async fn start_at_end(&self, store: &dyn Store) -> Result<(), StoreError> {
        self.last.store(store.latest_event_seq().await?, Ordering::Release);
        Ok(())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub(crate) fn streams(&self) -> &Arc<Semaphore> {
        &self.streams
    }

    /// Broadcasts every event committed since the last poll, in seq order. The stores give seq
    /// in commit order, so nothing committed later can have a smaller seq than one sent here.
    pub async fn poll(&self, store: &dyn Store) -> Result<(), StoreError> {
        loop {
            let after = self.last.load(Ordering::Acquire);
            let found = store.events(after, PAGE).await?;
            let full = found.len() == PAGE;
            for event in found {
                self.last.store(event.seq, Ordering::Release);
                // No stream open: nobody to tell, which is fine.
                let _ = self.sender.send(Arc::new(event));
            }
            if !full {
                return Ok(());
            }
        }
    }
}
