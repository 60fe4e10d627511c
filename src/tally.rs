//! Per-minute order counts of one incident, kept in memory on the order path until a flush
//! takes them to the store.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::domain::MinuteCount;
use crate::domain::minute::minute_of;

/// The counts since the last flush. The lock is held for a few comparisons and never across an
/// await; since every flush (each scheduler tick) takes the whole list, it holds a minute or two
/// of at most a few statuses, and the current minute is found from the end at once.
#[derive(Debug, Default)]
pub struct MinuteTally {
    counts: Mutex<Vec<MinuteCount>>,
}

impl MinuteTally {
    /// Counts an order answered at `at` with `status`, served (a valid ticket) or failed.
    pub fn count(&self, at: DateTime<Utc>, status: u16, served: bool) {
        self.add(MinuteCount {
            at: minute_of(at),
            status,
            served: u64::from(served),
            failed: u64::from(!served),
        });
    }

    fn add(&self, count: MinuteCount) {
        let mut counts = self.counts.lock().expect("minute tally lock");
        match counts
            .iter_mut()
            .rev()
            .find(|c| c.at == count.at && c.status == count.status)
        {
            // Saturating: a figure stuck at its maximum is honest, a wrapped one lies.
            Some(c) => {
                c.served = c.served.saturating_add(count.served);
                c.failed = c.failed.saturating_add(count.failed);
            }
            None => counts.push(count),
        }
    }

    /// Takes everything counted since the last call.
    pub fn take(&self) -> Vec<MinuteCount> {
        std::mem::take(&mut *self.counts.lock().expect("minute tally lock"))
    }

    /// Puts back counts that could not be written, adding them to those counted meanwhile.
    pub fn restore(&self, counts: &[MinuteCount]) {
        for c in counts {
            self.add(*c);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    #[test]
    fn orders_add_up_per_minute_and_status_and_a_restore_merges_back() {
        let noon = Utc.with_ymd_and_hms(2026, 12, 1, 19, 0, 0).unwrap();
        let tally = MinuteTally::default();
        tally.count(noon + TimeDelta::seconds(5), 200, true);
        tally.count(noon + TimeDelta::seconds(59), 200, true);
        tally.count(noon + TimeDelta::seconds(30), 200, false);
        tally.count(noon + TimeDelta::seconds(60), 500, false);
        let taken = tally.take();
        let minute = |m| noon + TimeDelta::minutes(m);
        assert_eq!(
            taken,
            vec![
                MinuteCount {
                    at: minute(0),
                    status: 200,
                    served: 2,
                    failed: 1
                },
                MinuteCount {
                    at: minute(1),
                    status: 500,
                    served: 0,
                    failed: 1
                },
            ]
        );
        assert!(tally.take().is_empty());
        tally.count(noon + TimeDelta::seconds(61), 500, false);
        tally.restore(&taken);
        let again = tally.take();
        assert_eq!(again.len(), 2);
        assert!(again.contains(&MinuteCount {
            at: minute(1),
            status: 500,
            served: 0,
            failed: 2
        }));
    }
}
