//! Time as a dependency: the system clock in production, a manual one that tests and drills move.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

/// A wait that completes when a clock reaches a deadline.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Completes once `now() >= deadline`, without holding a thread.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep {
        let wait = (deadline - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to; sleepers wake when it passes their deadline.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<DateTime<Utc>>,
    sleepers: Arc<watch::Sender<Sleepers>>,
}

/// The sleeps still waiting on a manual clock, so a drill can jump straight to the next deadline
/// instead of stepping through every second.
#[derive(Clone, Debug, Default)]
pub struct Sleepers {
    pub deadlines: Vec<DateTime<Utc>>,
    /// Sleeps ever started: a drill sees a request reach its wait by this number moving.
    pub started: u64,
}

/// Takes a finished or abandoned sleep off the list.
struct Waiting {
    sleepers: Arc<watch::Sender<Sleepers>>,
    deadline: DateTime<Utc>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.sleepers.send_modify(|s| {
            if let Some(i) = s.deadlines.iter().position(|d| *d == self.deadline) {
                s.deadlines.swap_remove(i);
            }
        });
    }
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: watch::Sender::new(start),
            sleepers: Arc::new(watch::Sender::new(Sleepers::default())),
        }
    }

    pub fn sleepers(&self) -> watch::Receiver<Sleepers> {
        self.sleepers.subscribe()
    }

    /// The earliest deadline a sleep is waiting for.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.sleepers.borrow().deadlines.iter().min().copied()
    }

    pub fn advance(&self, by: Duration) {
        self.now.send_modify(|now| *now += by);
    }

    pub fn set(&self, to: DateTime<Utc>) {
        self.now.send_replace(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> Sleep {
        let mut rx = self.now.subscribe();
        self.sleepers.send_modify(|s| {
            s.deadlines.push(deadline);
            s.started += 1;
        });
        let waiting = Waiting {
            sleepers: self.sleepers.clone(),
            deadline,
        };
        Box::pin(async move {
            let _waiting = waiting;
            // The sender lives as long as the clock; if it is gone, nothing can wake us anyway.
            let _ = rx.wait_for(|now| *now >= deadline).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleep_wakes_only_when_time_passes_the_deadline() {
        let start = Utc::now();
        let clock = std::sync::Arc::new(ManualClock::new(start));
        let sleep = clock.sleep_until(start + Duration::seconds(30));
        let handle = tokio::spawn(sleep);
        assert_eq!(clock.next_deadline(), Some(start + Duration::seconds(30)));
        clock.advance(Duration::seconds(29));
        tokio::task::yield_now().await;
        assert!(!handle.is_finished());
        clock.advance(Duration::seconds(1));
        tokio::time::timeout(std::time::Duration::from_secs(1), handle)
            .await
            .expect("sleeper woke")
            .unwrap();
        assert_eq!(clock.next_deadline(), None);
        assert_eq!(clock.sleepers().borrow().started, 1);
    }
}
