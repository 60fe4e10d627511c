//! What each chaos mode teaches: the report's Prevention section and its Action Items.

use crate::domain::ChaosMode;

/// Why this failure hurt, and what would have caught it sooner.
pub fn prevention(mode: ChaosMode) -> &'static str {
    match mode {
        ChaosMode::Fail => {
            "A dependency that answers 500 is the plainest outage there is, and still it went unnoticed \
             until someone looked. Alert on the rate of 5xx answers from the factory (and on orders \
             failing per minute), so the on-call engineer is paged in the first minute, not told by a diner."
        }
        ChaosMode::Throttle => {
            "A slow dependency is worse than a failing one: requests pile up, and nothing shows an \
             error. Give every call to the factory a timeout shorter than a diner's patience, and alert \
             on order latency (p95/p99), not only on errors."
        }
        ChaosMode::Badjwt | ChaosMode::Expiredjwt => {
            "Every answer looked successful (status 200 with a ticket), so error-rate alerts stayed \
             quiet. Verify each ticket the factory returns (signature, issuer, expiry) before handing \
             it to a diner, and alert when verification fails."
        }
        ChaosMode::Flaky => {
            "Some orders failed and some did not, which makes an outage look like noise. Retry with a \
             limit, and put a circuit breaker around the factory so a run of failures fails fast and \
             is reported, instead of every diner waiting for a retry."
        }
        ChaosMode::Overload => {
            "The factory said it was overloaded (503 with Retry-After). A client that retries at once \
             makes an overload worse; back off for the time Retry-After asks, with jitter, and alert on \
             the rate of 503 answers."
        }
    }
}

/// The follow-up work this mode calls for; the report adds the items every incident shares.
pub fn action_items(mode: ChaosMode) -> &'static [&'static str] {
    match mode {
        ChaosMode::Fail => &["Add an alert on the rate of 5xx answers from the factory"],
        ChaosMode::Throttle => &[
            "Set a timeout on every call to the factory",
            "Add an alert on order latency (p95 or p99)",
        ],
        ChaosMode::Badjwt | ChaosMode::Expiredjwt => &[
            "Verify every ticket (signature, issuer, expiry) before serving it",
            "Add an alert on ticket verification failures",
        ],
        ChaosMode::Flaky => &[
            "Retry failed orders a bounded number of times",
            "Put a circuit breaker around calls to the factory",
        ],
        ChaosMode::Overload => &[
            "Honour Retry-After with backoff and jitter",
            "Add an alert on the rate of 503 answers",
        ],
    }
}

/// Items every incident shares, whatever the mode.
pub const ALWAYS: [&str; 2] = [
    "Log the X-Chaos-Report header of every factory response, on a 200 too",
    "Write down how the report URL was found, for the next on-call engineer",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_has_a_lesson_and_a_checklist() {
        for mode in ChaosMode::ALL {
            assert!(!prevention(mode).is_empty());
            assert!(!action_items(mode).is_empty());
        }
        assert!(prevention(ChaosMode::Throttle).contains("timeout"));
        assert!(prevention(ChaosMode::Badjwt).contains("Verify"));
        assert!(prevention(ChaosMode::Flaky).contains("circuit breaker"));
        assert!(prevention(ChaosMode::Overload).contains("Retry-After"));
        assert!(prevention(ChaosMode::Fail).contains("5xx"));
    }
}
