//! Log-in throttling with governor's keyed GCRA limiters: one budget per account name and one
//! per client IP. Every attempt spends from both, so guessing one account from many addresses
//! and many accounts from one address are both slowed; a person who mistypes a few times is not.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginThrottle {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(burst: u32, refill_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(refill_every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

impl LoginThrottle {
    /// 10 attempts per account, then one more every 30 s; 50 per IP, then one more every 2 s.
    pub fn new() -> Self {
        Self::with_limits(10, Duration::from_secs(30), 50, Duration::from_secs(2))
    }

    pub fn with_limits(account_burst: u32, account_refill: Duration, ip_burst: u32, ip_refill: Duration) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(account_burst, account_refill)),
            per_ip: RateLimiter::keyed(quota(ip_burst, ip_refill)),
        }
    }

    /// Spends one attempt; false means refuse with 429.
    pub fn allow(&self, username: &str, ip: IpAddr) -> bool {
        let ip_ok = self.per_ip.check_key(&ip).is_ok();
        let account_ok = self.per_account.check_key(&username.to_lowercase()).is_ok();
        ip_ok && account_ok
    }

    /// Drops the state of keys that have fully refilled, so memory does not grow forever.
    pub fn forget_idle(&self) {
        self.per_account.retain_recent();
        self.per_ip.retain_recent();
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_is_throttled_after_its_burst() {
        let throttle = LoginThrottle::with_limits(3, Duration::from_secs(60), 100, Duration::from_secs(1));
        assert!((0..3).all(|_| throttle.allow("alice", IP)));
        assert!(!throttle.allow("ALICE", IP), "case must not reset the budget");
        assert!(throttle.allow("bob", IP), "other accounts are unaffected");
    }

    #[test]
    fn an_ip_is_throttled_across_accounts() {
        let throttle = LoginThrottle::with_limits(100, Duration::from_secs(1), 3, Duration::from_secs(60));
        assert!((0..3).all(|i| throttle.allow(&format!("user{i}"), IP)));
        assert!(!throttle.allow("fresh", IP));
        assert!(throttle.allow("fresh", IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
    }
}
