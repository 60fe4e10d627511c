//! Report-URL limits: after 10 wrong codes in a minute from one address for one vendor, that
//! address waits; and one address may call report URLs only so often, whatever the vendor.
//! An IPv6 client counts as its /64: one host is handed a whole /64 and can rotate through it.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::domain::VendorId;

pub const MAX_WRONG: usize = 10;
pub const WINDOW_SECS: i64 = 60;

/// Instants of recent wrong codes, per client address and vendor.
type WrongCodes = HashMap<(IpAddr, VendorId), VecDeque<DateTime<Utc>>>;

#[derive(Debug)]
pub struct FixCodeLimiter {
    wrong: Mutex<WrongCodes>,
    calls: Mutex<HashMap<IpAddr, VecDeque<DateTime<Utc>>>>,
    calls_per_minute: usize,
}

impl Default for FixCodeLimiter {
    fn default() -> Self {
        Self::new(120)
    }
}

/// The address a limit counts: IPv4 as is, IPv6 by its /64 (IPv4-mapped ones as IPv4).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
}

/// Tries at or before this instant have left the window of `now`.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds(WINDOW_SECS)
}

/// With `recent` the tries of the window (oldest first): if `max` were made, the seconds until
/// enough of them leave it for one more. The one rule, for the in-memory first line and the store.
pub fn wait_after(recent: &[DateTime<Utc>], max: usize, now: DateTime<Utc>) -> Option<u64> {
    let oldest = *recent.get(recent.len().checked_sub(max)?)?;
    Some((oldest + Duration::seconds(WINDOW_SECS) - now).num_seconds().max(1) as u64)
}

/// Drops instants older than the window; if `max` remain, the seconds until the oldest leaves.
fn wait(times: &mut VecDeque<DateTime<Utc>>, max: usize, now: DateTime<Utc>) -> Option<u64> {
    while times.front().is_some_and(|t| *t <= window_start(now)) {
        times.pop_front();
    }
    wait_after(times.make_contiguous(), max, now)
}

impl FixCodeLimiter {
    pub fn new(calls_per_minute: usize) -> Self {
        Self {
            wrong: Mutex::default(),
            calls: Mutex::default(),
            calls_per_minute,
        }
    }

    /// Counts a report-URL call from `client`; the wait if it is over its per-minute budget.
    pub fn call(&self, client: IpAddr, now: DateTime<Utc>) -> Option<u64> {
        let mut map = self.calls.lock().expect("limiter lock");
        let times = map.entry(client_key(client)).or_default();
        let limited = wait(times, self.calls_per_minute, now);
        if limited.is_none() {
            times.push_back(now);
        }
        limited
    }

    /// Seconds the client must wait before trying another code, if it is limited now.
    pub fn retry_after(&self, client: IpAddr, vendor: &VendorId, now: DateTime<Utc>) -> Option<u64> {
        let mut map = self.wrong.lock().expect("limiter lock");
        wait(map.get_mut(&(client_key(client), vendor.clone()))?, MAX_WRONG, now)
    }

    pub fn record_wrong(&self, client: IpAddr, vendor: &VendorId, now: DateTime<Utc>) {
        let mut map = self.wrong.lock().expect("limiter lock");
        map.entry((client_key(client), vendor.clone()))
            .or_default()
            .push_back(now);
    }

    /// Forgets clients whose last call is older than the window, so memory stays bounded.
    pub fn prune(&self, now: DateTime<Utc>) {
        let fresh = |t: &DateTime<Utc>| *t + Duration::seconds(WINDOW_SECS) > now;
        self.wrong
            .lock()
            .expect("limiter lock")
            .retain(|_, times| times.back().is_some_and(fresh));
        self.calls
            .lock()
            .expect("limiter lock")
            .retain(|_, times| times.back().is_some_and(fresh));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_wrong_codes_a_minute_block_one_client_for_one_vendor() {
        let limiter = FixCodeLimiter::default();
        let vendor = VendorId::parse("v").unwrap();
        let other_vendor = VendorId::parse("w").unwrap();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Utc::now();
        for i in 0..MAX_WRONG {
            assert_eq!(limiter.retry_after(a, &vendor, t0), None);
            limiter.record_wrong(a, &vendor, t0 + Duration::seconds(i as i64));
        }
        let now = t0 + Duration::seconds(10);
        assert_eq!(limiter.retry_after(a, &vendor, now), Some(50));
        assert_eq!(limiter.retry_after(b, &vendor, now), None);
        assert_eq!(limiter.retry_after(a, &other_vendor, now), None);
        assert_eq!(limiter.retry_after(a, &vendor, t0 + Duration::seconds(60)), None);
        limiter.prune(t0 + Duration::seconds(200));
        assert!(limiter.wrong.lock().unwrap().is_empty());
    }

    #[test]
    fn the_store_rule_waits_for_enough_tries_to_leave_the_window() {
        let t0 = Utc::now();
        let tries: Vec<_> = (0..12).map(|i| t0 + Duration::seconds(i)).collect();
        let now = t0 + Duration::seconds(20);
        assert_eq!(wait_after(&tries[..9], MAX_WRONG, now), None);
        assert_eq!(wait_after(&tries[..10], MAX_WRONG, now), Some(40));
        // More than the limit (tries counted by instances racing before the store did): one
        // more is allowed once all but nine have left, at the third try's minute.
        assert_eq!(wait_after(&tries, MAX_WRONG, now), Some(42));
        assert_eq!(window_start(now), t0 - Duration::seconds(40));
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let limiter = FixCodeLimiter::default();
        let vendor = VendorId::parse("v").unwrap();
        let t0 = Utc::now();
        for i in 0..MAX_WRONG {
            let rotating: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            limiter.record_wrong(rotating, &vendor, t0);
        }
        assert!(
            limiter
                .retry_after("2001:db8:1:2:ffff::9".parse().unwrap(), &vendor, t0)
                .is_some()
        );
        assert_eq!(
            limiter.retry_after("2001:db8:1:3::1".parse().unwrap(), &vendor, t0),
            None
        );
        assert_eq!(
            client_key("::ffff:10.0.0.1".parse().unwrap()),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn calls_per_address_are_capped_per_minute() {
        let limiter = FixCodeLimiter::new(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Utc::now();
        for _ in 0..3 {
            assert_eq!(limiter.call(a, t0), None);
        }
        assert_eq!(limiter.call(a, t0), Some(60));
        assert_eq!(limiter.call("10.0.0.9".parse().unwrap(), t0), None);
        assert_eq!(limiter.call(a, t0 + Duration::seconds(60)), None);
    }
}
