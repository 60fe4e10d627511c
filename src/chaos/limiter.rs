//! Wrong fix codes: after 10 in a minute from one address for one vendor, that address waits.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::domain::VendorId;

pub const MAX_WRONG: usize = 10;
pub const WINDOW_SECS: i64 = 60;

/// Instants of recent wrong codes, per client address and vendor.
type WrongCodes = HashMap<(IpAddr, VendorId), VecDeque<DateTime<Utc>>>;

#[derive(Debug, Default)]
pub struct FixCodeLimiter {
    wrong: Mutex<WrongCodes>,
}

impl FixCodeLimiter {
    /// Seconds the client must wait before trying another code, if it is limited now.
    pub fn retry_after(&self, client: IpAddr, vendor: &VendorId, now: DateTime<Utc>) -> Option<u64> {
        let mut map = self.wrong.lock().expect("limiter lock");
        let times = map.get_mut(&(client, vendor.clone()))?;
        while times
            .front()
            .is_some_and(|t| *t + Duration::seconds(WINDOW_SECS) <= now)
        {
            times.pop_front();
        }
        if times.len() < MAX_WRONG {
            return None;
        }
        let oldest = *times.front()?;
        Some((oldest + Duration::seconds(WINDOW_SECS) - now).num_seconds().max(1) as u64)
    }

    pub fn record_wrong(&self, client: IpAddr, vendor: &VendorId, now: DateTime<Utc>) {
        let mut map = self.wrong.lock().expect("limiter lock");
        map.entry((client, vendor.clone())).or_default().push_back(now);
    }

    /// Forgets clients whose last wrong code is older than the window, so memory stays bounded.
    pub fn prune(&self, now: DateTime<Utc>) {
        let mut map = self.wrong.lock().expect("limiter lock");
        map.retain(|_, times| times.back().is_some_and(|t| *t + Duration::seconds(WINDOW_SECS) > now));
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
}
