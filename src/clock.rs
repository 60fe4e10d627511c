//! Time as a dependency: the system clock in production, a manual one that tests and drills move.

use std::future::Future;
use std::pin::Pin;

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
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: watch::Sender::new(start),
        }
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
        Box::pin(async move {
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
        clock.advance(Duration::seconds(29));
        tokio::task::yield_now().await;
        assert!(!handle.is_finished());
        clock.advance(Duration::seconds(1));
        tokio::time::timeout(std::time::Duration::from_secs(1), handle)
            .await
            .expect("sleeper woke")
            .unwrap();
    }
}
