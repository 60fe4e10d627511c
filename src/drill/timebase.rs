//! How a drill's time passes: a manual clock jumped from event to event (in process), or the
//! wall clock with a progress line (against a live factory).

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use actix_web::web;
use chrono::{DateTime, Duration, Utc};
use tokio::task::JoinSet;

use crate::chaos::scheduler;
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::factory::Factory;
use crate::scenario::expect::OrderSeen;

pub enum Timebase {
    Virtual {
        clock: Arc<ManualClock>,
        factory: web::Data<Factory>,
    },
    Live {
        began: DateTime<Utc>,
        ends: DateTime<Utc>,
        seen: Arc<Mutex<Vec<OrderSeen>>>,
        /// When output is not a terminal, a progress line is written this often.
        every: Duration,
        /// When the last such line was written.
        last_line: Mutex<DateTime<Utc>>,
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

    /// Progress: on a terminal one line rewritten in place; otherwise (a CI log, `> file`) a line
    /// of its own every `every`, so a long live drill is not silent.
    fn progress(&self, inflight: usize) {
        let Timebase::Live {
            began,
            ends,
            seen,
            every,
            last_line,
        } = self
        else {
            return;
        };
        let now = Utc::now();
        let terminal = std::io::stderr().is_terminal();
        if !terminal {
            let mut last = last_line.lock().expect("progress lock");
            if now - *last < *every {
                return;
            }
            *last = now;
        }
        let (answered, failed) = {
            let seen = seen.lock().expect("orders lock");
            (seen.len(), seen.iter().filter(|o| o.failed()).count())
        };
        let line = progress_line(now - *began, *ends - now, answered + inflight, failed);
        if terminal {
            eprint!("\r  {line}   ");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("drill progress: {line}");
        }
    }
}

/// Elapsed and remaining time as m:ss, orders sent, failures seen.
pub fn progress_line(elapsed: Duration, remaining: Duration, sent: usize, failed: usize) -> String {
    let clock = |d: Duration| {
        let secs = d.num_seconds().max(0);
        format!("{}:{:02}", secs / 60, secs % 60)
    };
    format!(
        "elapsed {}  remaining {}  orders sent {sent}  failures seen {failed}",
        clock(elapsed),
        clock(remaining)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_reads_as_minutes_and_seconds() {
        assert_eq!(
            progress_line(Duration::seconds(61), Duration::seconds(419), 12, 3),
            "elapsed 1:01  remaining 6:59  orders sent 12  failures seen 3"
        );
        assert!(progress_line(Duration::seconds(5), Duration::seconds(-2), 0, 0).contains("remaining 0:00"));
    }
}
