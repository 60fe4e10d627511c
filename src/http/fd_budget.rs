//! Connections the process can hold: every one costs a file descriptor, and a process out of
//! descriptors cannot accept `/healthz` either, nor open its store.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Descriptors kept for everything but client connections: the listener, the runtimes, the
/// store's files or connection pool, the log.
pub const RESERVED_FDS: u64 = 128;

/// What to ask of the kernel and what each worker may hold.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// The soft limit to set (the current one when nothing needs raising).
    pub soft: u64,
    pub per_worker: usize,
}

/// Raises the soft limit toward what `workers × wanted` connections need, as far as the hard
/// limit allows (`None`: unlimited), and lowers the per-worker cap to what then fits.
pub fn plan(soft: Option<u64>, hard: Option<u64>, workers: usize, wanted: usize) -> Plan {
    let Some(soft) = soft else {
        return Plan {
            soft: u64::MAX,
            per_worker: wanted,
        };
    };
    let workers = workers.max(1) as u64;
    let need = (wanted as u64).saturating_mul(workers).saturating_add(RESERVED_FDS);
    let target = hard.map_or(need, |h| need.min(h)).max(soft);
    let fits = target.saturating_sub(RESERVED_FDS) / workers;
    Plan {
        soft: target,
        per_worker: usize::try_from(fits).unwrap_or(usize::MAX).clamp(1, wanted.max(1)),
    }
}

/// Applies the plan to this process and logs the figures; returns the per-worker cap to use.
pub fn fit(workers: usize, wanted: usize) -> usize {
    let Rlimit { current, maximum } = getrlimit(Resource::Nofile);
    let mut plan = plan(current, maximum, workers, wanted);
    if let Some(soft) = current
        && plan.soft > soft
        && let Err(e) = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(plan.soft),
                maximum,
            },
        )
    {
        log::warn!("could not raise the open-file limit from {soft} to {}: {e}", plan.soft);
        plan = self::plan(current, current, workers, wanted);
    }
    let shown = |l: Option<u64>| l.map_or("unlimited".to_owned(), |n| n.to_string());
    log::info!(
        "open-file limit {} (was {}, hard {}): {workers} workers x {} connections + {RESERVED_FDS} reserved",
        shown(Some(plan.soft).filter(|s| *s != u64::MAX)),
        shown(current),
        shown(maximum),
        plan.per_worker
    );
    if plan.per_worker < wanted {
        log::warn!(
            "max connections lowered from {wanted} to {} per worker to fit the open-file limit",
            plan.per_worker
        );
    }
    plan.per_worker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raises_the_soft_limit_as_far_as_the_hard_one_allows() {
        assert_eq!(
            plan(Some(1024), Some(1_000_000), 2, 25_000),
            Plan {
                soft: 50_128,
                per_worker: 25_000
            }
        );
        assert_eq!(
            plan(Some(1024), None, 4, 100),
            Plan {
                soft: 1024,
                per_worker: 100
            }
        );
    }

    #[test]
    fn lowers_connections_to_what_fits_under_the_hard_limit() {
        assert_eq!(
            plan(Some(1024), Some(20_000), 2, 25_000),
            Plan {
                soft: 20_000,
                per_worker: 9_936
            }
        );
        assert_eq!(plan(Some(200), Some(200), 1, 25_000).per_worker, 72);
        assert_eq!(plan(Some(64), Some(64), 2, 25_000).per_worker, 1);
        assert_eq!(plan(None, None, 2, 25_000).per_worker, 25_000);
    }
}
