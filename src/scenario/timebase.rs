//! How a drill's time passes: a manual clock jumped from event to event (in process), or the
//! wall clock with a progress line (against a live factory).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use actix_web::web;
use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::expect::OrderSeen;
use crate::chaos::scheduler;
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::factory::Factory;

pub enum Timebase {
    Virtual {
        clock: Arc<ManualClock>,
        factory: web::Data<Factory>,
    },
    Live {
        began: DateTime<Utc>,
        ends: DateTime<Utc>,
        seen: Arc<Mutex<Vec<OrderSeen>>>,
    },
}

impl Timebase {
    pub fn clock(&self) -> Arc<dyn Clock> {
        match self {
            Timebase::Virtual { clock, .. } => clock.clone(),
            Timebase::Live { .. } => Arc::new(SystemClock),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock().now()
    }

    /// Waits, after an order was sent, until it is answered or waits on the clock, so the next
    /// jump of time sees it.
    pub async fn sent(&self, inflight: &mut JoinSet<()>, sleeps_before: u64) {
        let Timebase::Virtual { clock, .. } = self else { return };
        let mut sleepers = clock.sleepers();
        loop {
            if sleepers.borrow_and_update().started > sleeps_before {
                return;
            }
            // Every other order is asleep, so a finished task is the one just sent.
            tokio::select! {
                _ = inflight.join_next() => return,
                _ = sleepers.changed() => {}
            }
        }
    }

    pub fn sleeps_started(&self) -> u64 {
        match self {
            Timebase::Virtual { clock, .. } => clock.sleepers().borrow().started,
            Timebase::Live { .. } => 0,
        }
    }

    /// Lets every order that is not waiting on the clock finish.
    async fn settle(clock: &ManualClock, inflight: &mut JoinSet<()>) {
        let mut sleepers = clock.sleepers();
        loop {
            let now = clock.now();
            let waiting = sleepers
                .borrow_and_update()
                .deadlines
                .iter()
                .filter(|d| **d > now)
                .count();
            if inflight.len() <= waiting {
                return;
            }
            tokio::select! {
                _ = inflight.join_next() => {}
                _ = sleepers.changed() => {}
            }
        }
    }

    /// Moves time to `target`, stopping at every deadline an order waits for on the way.
    pub async fn advance_to(&self, target: DateTime<Utc>, inflight: &mut JoinSet<()>) {
        match self {
            Timebase::Virtual { clock, factory } => loop {
                let now = clock.now();
                let next = clock
                    .sleepers()
                    .borrow()
                    .deadlines
                    .iter()
                    .copied()
                    .filter(|d| *d > now && *d < target)
                    .min()
                    .unwrap_or(target)
                    .max(now);
                clock.set(next);
                if let Err(e) = scheduler::tick(factory, next).await {
                    log::error!("drill tick: {e}");
                }
                Self::settle(clock, inflight).await;
                if next >= target {
                    return;
                }
            },
            Timebase::Live { .. } => {
                while Utc::now() < target {
                    self.progress(inflight.len());
                    let left = (target - Utc::now()).to_std().unwrap_or_default();
                    tokio::time::sleep(left.min(std::time::Duration::from_secs(1))).await;
                    while inflight.try_join_next().is_some() {}
                }
            }
        }
    }

    /// Waits for every order still in flight, moving time on as they need.
    pub async fn drain(&self, inflight: &mut JoinSet<()>) {
        match self {
            Timebase::Virtual { clock, .. } => {
                while !inflight.is_empty() {
                    let Some(next) = clock.next_deadline() else {
                        Self::settle(clock, inflight).await;
                        break;
                    };
                    self.advance_to(next.max(clock.now()), inflight).await;
                }
            }
            Timebase::Live { .. } => {
                while !inflight.is_empty() {
                    self.progress(inflight.len());
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), inflight.join_next()).await;
                }
                self.progress(0);
                if std::io::stderr().is_terminal() {
                    eprintln!();
                }
            }
        }
    }

    /// One line on a terminal: elapsed and remaining time, orders sent, failures seen.
    fn progress(&self, inflight: usize) {
        let Timebase::Live { began, ends, seen } = self else {
            return;
        };
        if !std::io::stderr().is_terminal() {
            return;
        }
        let now = Utc::now();
        let (answered, failed) = {
            let seen = seen.lock().expect("orders lock");
            (seen.len(), seen.iter().filter(|o| o.failed()).count())
        };
        let clock = |secs: i64| format!("{}:{:02}", secs.max(0) / 60, secs.max(0) % 60);
        eprint!(
            "\r  elapsed {}  remaining {}  orders sent {}  failures seen {}   ",
            clock((now - *began).num_seconds()),
            clock((*ends - now).num_seconds()),
            answered + inflight,
            failed
        );
        let _ = std::io::stderr().flush();
    }
}
