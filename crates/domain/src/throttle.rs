//! Sign-in throttling: failed attempts are counted per subject (an account from one
//! address, one address, one account from addresses it has never signed in from),
//! and past a free allowance each further failure makes the subject wait longer
//! before the next attempt is even checked: 30 s, 1 min, 2 min … up to 15 minutes.
//! Counts are forgotten an hour after the last failure.
//!
//! So a stranger guessing a password slows only themselves and the account's sign-ins
//! from unfamiliar addresses; the account holder signs in from their usual address
//! as before.

use time::{Duration, OffsetDateTime};

/// The counted state of one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Failures counted (since the last success or the last forgetting).
    pub failures: u32,
    /// When the last failure happened.
    pub last_failure: Option<OffsetDateTime>,
    /// No attempt is checked before this instant.
    pub blocked_until: Option<OffsetDateTime>,
}

/// How one kind of subject is throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before any waiting.
    pub free: u32,
    /// The first wait; each further failure doubles it.
    pub first_wait: Duration,
    /// The longest wait.
    pub longest_wait: Duration,
    /// Counts are forgotten this long after the last failure.
    pub forget_after: Duration,
}

/// One account from one address.
pub const ACCOUNT_FROM_ADDRESS: Policy = Policy {
    free: 4,
    first_wait: Duration::seconds(30),
    longest_wait: Duration::minutes(15),
    forget_after: Duration::hours(1),
};

/// Every account from one address (password spraying).
pub const ADDRESS: Policy = Policy {
    free: 20,
    first_wait: Duration::seconds(30),
    longest_wait: Duration::minutes(15),
    forget_after: Duration::hours(1),
};

/// One account from all the addresses it has never signed in from (guessing from many
/// addresses); the addresses it has signed in from are not held back by this.
pub const ACCOUNT_FROM_NEW_ADDRESSES: Policy = Policy {
    free: 30,
    first_wait: Duration::seconds(30),
    longest_wait: Duration::minutes(15),
    forget_after: Duration::hours(1),
};

impl Throttle {
    /// How long an attempt at `now` must still wait, if it must.
    pub fn wait(&self, now: OffsetDateTime) -> Option<Duration> {
        self.blocked_until.filter(|until| *until > now).map(|until| until - now)
    }

    /// The state after a failure at `now`.
    pub fn after_failure(self, policy: &Policy, now: OffsetDateTime) -> Throttle {
        let forgotten = self.last_failure.is_none_or(|last| now - last >= policy.forget_after);
        let failures = if forgotten { 1 } else { self.failures.saturating_add(1) };
        let blocked_until = (failures >= policy.free).then(|| {
            let doublings = (failures - policy.free).min(16);
            let wait = policy.first_wait * 2i32.pow(doublings);
            now + wait.min(policy.longest_wait)
        });
        Throttle { failures, last_failure: Some(now), blocked_until: blocked_until.or(self.blocked_until) }
    }
}

/// Rounds a wait up to whole seconds for a message or a `Retry-After` header.
pub fn whole_seconds(wait: Duration) -> i64 {
    let s = wait.whole_seconds();
    if wait > Duration::seconds(s) { s + 1 } else { s.max(1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(s)
    }

    #[test]
    fn waits_start_after_the_free_allowance_and_double_up_to_the_longest() {
        let mut th = Throttle::default();
        let mut waits = Vec::new();
        for i in 0..12 {
            th = th.after_failure(&ACCOUNT_FROM_ADDRESS, t(i));
            waits.push(th.wait(t(i)).map(|w| w.whole_seconds()));
        }
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(900),
                Some(900),
                Some(900),
                Some(900)
            ]
        );
    }

    #[test]
    fn counts_are_forgotten_an_hour_after_the_last_failure() {
        let mut th = Throttle::default();
        for i in 0..4 {
            th = th.after_failure(&ACCOUNT_FROM_ADDRESS, t(i));
        }
        assert_eq!(th.failures, 4);
        let later = th.after_failure(&ACCOUNT_FROM_ADDRESS, t(3 + 3600));
        assert_eq!(later.failures, 1);
        assert_eq!(later.wait(t(3 + 3600)), None, "the old block has run out");
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::milliseconds(1500)), 2);
        assert_eq!(whole_seconds(Duration::seconds(30)), 30);
        assert_eq!(whole_seconds(Duration::milliseconds(10)), 1);
    }
}
