//! Log-in throttling with governor's keyed GCRA limiters, shaped after OWASP's advice against
//! brute force without handing attackers a lock-out button:
//!
//! - **per address** (50, then one every 2 s): many accounts guessed from one address;
//! - **per account and address** (10, then one every 30 s): one account guessed from one
//!   address. Only that address is slowed for that account: ten wrong guesses from somewhere
//!   else do not lock the real person out of their own account;
//! - **per account** (100, then one every 10 s): one account guessed from many addresses. A
//!   lock-out through this budget needs at least ten addresses working together.
//!
//! Budgets are spent in that order and an attempt refused by one spends nothing from the next,
//! so a flood already refused per address costs the account nothing.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginThrottle {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account_ip: DefaultKeyedRateLimiter<(String, IpAddr)>,
    per_account: DefaultKeyedRateLimiter<String>,
}

/// A budget: `burst` attempts, then one more every `refill_every`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub burst: u32,
    pub refill_every: Duration,
}

impl Budget {
    /// As a governor quota (also used by the group budgets in `conversations::adding`).
    pub fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.refill_every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
    }
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self::with_limits(
            Budget { burst: 50, refill_every: Duration::from_secs(2) },
            Budget { burst: 10, refill_every: Duration::from_secs(30) },
            Budget { burst: 100, refill_every: Duration::from_secs(10) },
        )
    }

    pub fn with_limits(per_ip: Budget, per_account_ip: Budget, per_account: Budget) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_ip.quota()),
            per_account_ip: RateLimiter::keyed(per_account_ip.quota()),
            per_account: RateLimiter::keyed(per_account.quota()),
        }
    }

    /// Spends one attempt; false means refuse with 429.
    pub fn allow(&self, username: &str, ip: IpAddr) -> bool {
        let account = username.to_lowercase();
        self.per_ip.check_key(&ip).is_ok()
            && self.per_account_ip.check_key(&(account.clone(), ip)).is_ok()
            && self.per_account.check_key(&account).is_ok()
    }

    /// Drops the state of keys that have fully refilled, so memory does not grow forever.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_account_ip.retain_recent();
        self.per_account.retain_recent();
    }
}

/// Sign-ups from one address: a burst, then one more every so often (`SIGNUP_BURST`,
/// `SIGNUP_REFILL_SECS`). Bounds how fast one address can mint accounts; the hashing queue
/// (see `hashing`) keeps what does get through from delaying log-ins.
pub struct SignupThrottle {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignupThrottle {
    /// 100 at once, then one a second: a classroom (or a test suite) behind one address signs
    /// up unhindered, a script gets one account a second, and the hashing queue keeps even that
    /// from delaying anyone's log-in.
    pub const DEFAULT: Budget = Budget { burst: 100, refill_every: Duration::from_secs(1) };

    pub fn new(budget: Budget) -> Self {
        Self { per_ip: RateLimiter::keyed(budget.quota()) }
    }

    /// Spends one sign-up; false means refuse with 429.
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.per_ip.check_key(&ip).is_ok()
    }

    pub fn forget_idle(&self) {
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
    const ELSEWHERE: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const SLOW: Duration = Duration::from_secs(3600);

    fn budget(burst: u32) -> Budget {
        Budget { burst, refill_every: SLOW }
    }

    #[test]
    fn an_account_is_throttled_after_its_burst_from_one_address() {
        let throttle = LoginThrottle::with_limits(budget(100), budget(3), budget(100));
        assert!((0..3).all(|_| throttle.allow("alice", IP)));
        assert!(!throttle.allow("ALICE", IP), "case must not reset the budget");
        assert!(throttle.allow("bob", IP), "other accounts are unaffected");
    }

    #[test]
    fn wrong_guesses_from_one_address_do_not_lock_the_owner_out_elsewhere() {
        let throttle = LoginThrottle::new();
        let refused = (0..20).filter(|_| !throttle.allow("alice", IP)).count();
        assert_eq!(refused, 10, "the guessing address is slowed after ten");
        assert!(throttle.allow("alice", ELSEWHERE), "the real person logs in from their own address");
    }

    #[test]
    fn attempts_refused_per_address_cost_the_account_nothing() {
        let throttle = LoginThrottle::with_limits(budget(3), budget(100), budget(5));
        assert_eq!((0..20).filter(|_| throttle.allow("alice", IP)).count(), 3, "the address budget");
        // Only the 3 that passed the address check were charged to the account: 2 are left.
        assert!(throttle.allow("alice", ELSEWHERE));
        assert!(throttle.allow("alice", ELSEWHERE));
        assert!(!throttle.allow("alice", ELSEWHERE));
    }

    #[test]
    fn many_addresses_are_bounded_by_the_accounts_own_budget() {
        let throttle = LoginThrottle::with_limits(budget(100), budget(10), budget(25));
        let allowed = (0..10u8)
            .flat_map(|i| (0..10).map(move |_| IpAddr::V4(Ipv4Addr::new(10, 0, 1, i))))
            .filter(|ip| throttle.allow("alice", *ip))
            .count();
        assert_eq!(allowed, 25);
    }

    #[test]
    fn sign_ups_are_counted_per_address() {
        let throttle = SignupThrottle::new(budget(3));
        assert_eq!((0..10).filter(|_| throttle.allow(IP)).count(), 3);
        assert!(throttle.allow(ELSEWHERE));
    }

    #[test]
    fn an_ip_is_throttled_across_accounts() {
        let throttle = LoginThrottle::with_limits(budget(3), budget(100), budget(100));
        assert!((0..3).all(|i| throttle.allow(&format!("user{i}"), IP)));
        assert!(!throttle.allow("fresh", IP));
        assert!(throttle.allow("fresh", ELSEWHERE));
    }
}
