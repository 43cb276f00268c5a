//! Rate limiting with GCRA (the generic cell rate algorithm).
//!
//! GCRA is a token bucket expressed as one timestamp per key, the "theoretical arrival
//! time" (TAT): no refill task, one read and one write per decision, and exact
//! `Retry-After` values. A [`Quota`] of `n` per period with a burst `b` lets `b` requests
//! through at once and then one every `period / n`.
//!
//! [`RateLimiter`] has an in-process implementation (the default) and a Redis one that all
//! instances share. Both pass the same contract tests (`tests/api/ratelimit.rs`).

mod memory;
mod redis;

use std::time::Duration;

pub use memory::InMemoryRateLimiter;
pub use redis::RedisRateLimiter;

/// How fast a key may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Time between two requests at the sustained rate.
    pub emission_interval: Duration,
    /// Requests allowed at once, from rest.
    pub burst: u32,
}

impl Quota {
    /// `rate` requests per second sustained, `burst` at once.
    pub fn per_second(rate: u32, burst: u32) -> Self {
        Self::per_window_with_burst(rate, Duration::from_secs(1), burst)
    }

    /// `count` events per `window`, all of which may happen at once.
    pub fn per_window(count: u32, window: Duration) -> Self {
        Self::per_window_with_burst(count, window, count)
    }

    fn per_window_with_burst(count: u32, window: Duration, burst: u32) -> Self {
        // At least a nanosecond: a zero interval would make the tolerance zero too and
        // refuse everything, the opposite of what a huge rate means.
        let emission_interval = (window / count.max(1)).max(Duration::from_nanos(1));
        Self {
            emission_interval,
            burst: burst.max(1),
        }
    }

    /// How far ahead of now the TAT may run: the burst tolerance plus one interval.
    pub(crate) fn tolerance(&self) -> Duration {
        self.emission_interval * self.burst
    }
}

/// The outcome of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; `remaining` more requests would pass right now.
    Allowed {
        /// Requests left in the current burst.
        remaining: u32,
    },
    /// Over the limit; a request would pass again after `retry_after`.
    Limited {
        /// How long to wait.
        retry_after: Duration,
    },
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allowed { .. })
    }

    /// Whole seconds to put in `Retry-After` (rounded up, at least 1).
    pub fn retry_after_secs(&self) -> u64 {
        match self {
            Self::Allowed { .. } => 0,
            Self::Limited { retry_after } => retry_after.as_secs_f64().ceil().max(1.0) as u64,
        }
    }
}

/// The limiter's backing store failed (Redis unreachable, ...).
#[derive(Debug, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct RateLimitError(String);

/// A rate limiter keyed by strings such as `ip:203.0.113.9` or `login:alice@example.com`.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Decides whether one more request for `key` fits `quota`. With `consume` the request
    /// is counted when allowed; without it the call only looks (used to refuse a login
    /// attempt for an account that has had too many failures, without counting it).
    async fn check(
        &self,
        key: &str,
        quota: Quota,
        consume: bool,
    ) -> Result<Decision, RateLimitError>;

    /// Gives back one request counted by an earlier `check`. Used to count an attempt
    /// *before* doing the work (so concurrent attempts cannot all slip through) and to
    /// forgive it when it turns out fine, such as a successful login.
    async fn refund(&self, key: &str, quota: Quota) -> Result<(), RateLimitError>;
}

/// Counts one request for `key` against `quota`: `Ok` if it fits, a 429 with
/// `Retry-After` if not. Fails open, with a warning, when the limiter's store is down: an
/// unreachable Redis must not take the API down with it. The one place every limit of
/// every system is enforced this way.
pub async fn enforce(
    limiter: &dyn RateLimiter,
    key: &str,
    quota: Quota,
) -> Result<(), crate::ApiError> {
    match limiter.check(key, quota, true).await {
        Ok(Decision::Allowed { .. }) => Ok(()),
        Ok(limited) => Err(crate::ApiError::too_many_requests(
            limited.retry_after_secs(),
        )),
        Err(error) => {
            tracing::warn!(%error, key, "rate limiter unavailable; request allowed");
            Ok(())
        }
    }
}

/// The GCRA step shared by both implementations: given the stored TAT (or none) and the
/// current time, both in nanoseconds on the same clock, returns the decision and the TAT
/// to store (if any).
pub(crate) fn gcra(
    stored_tat: Option<u128>,
    now: u128,
    quota: Quota,
    consume: bool,
) -> (Decision, Option<u128>) {
    let interval = quota.emission_interval.as_nanos().max(1);
    let tolerance = quota.tolerance().as_nanos();
    let tat = stored_tat.unwrap_or(now).max(now);
    let new_tat = tat + interval;
    let ahead = new_tat - now;
    if ahead > tolerance {
        let wait = ahead - tolerance;
        let retry_after = Duration::from_nanos(u64::try_from(wait).unwrap_or(u64::MAX));
        return (Decision::Limited { retry_after }, None);
    }
    let remaining = u32::try_from((tolerance - ahead) / interval).unwrap_or(u32::MAX);
    (Decision::Allowed { remaining }, consume.then_some(new_tat))
}

/// The TAT after giving one interval back, or `None` when the bucket is then full (the
/// key can be forgotten).
pub(crate) fn refunded(tat: u128, now: u128, quota: Quota) -> Option<u128> {
    let back = tat.saturating_sub(quota.emission_interval.as_nanos().max(1));
    (back > now).then_some(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u128 = 1_000_000_000;

    #[test]
    fn a_burst_passes_then_the_sustained_rate_applies() {
        let quota = Quota::per_second(2, 3);
        let mut tat = None;
        for expected_remaining in [2, 1, 0] {
            let (decision, next) = gcra(tat, 10 * SEC, quota, true);
            assert_eq!(
                decision,
                Decision::Allowed {
                    remaining: expected_remaining
                }
            );
            tat = next;
        }
        let (decision, next) = gcra(tat, 10 * SEC, quota, true);
        assert_eq!(
            decision,
            Decision::Limited {
                retry_after: Duration::from_millis(500)
            }
        );
        assert_eq!(next, None, "a refused request is not counted");
        // Half a second later exactly one more fits.
        let (decision, _) = gcra(tat, 10 * SEC + SEC / 2, quota, true);
        assert!(decision.is_allowed());
    }

    #[test]
    fn looking_without_consuming_changes_nothing() {
        let quota = Quota::per_window(1, Duration::from_secs(60));
        let (decision, stored) = gcra(None, SEC, quota, false);
        assert!(decision.is_allowed());
        assert_eq!(stored, None);
    }

    #[test]
    fn an_enormous_rate_allows_everything_rather_than_nothing() {
        let quota = Quota::per_second(u32::MAX, u32::MAX);
        let (decision, _) = gcra(None, SEC, quota, true);
        assert!(decision.is_allowed());
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let limited = Decision::Limited {
            retry_after: Duration::from_millis(1200),
        };
        assert_eq!(limited.retry_after_secs(), 2);
        let tiny = Decision::Limited {
            retry_after: Duration::from_millis(1),
        };
        assert_eq!(tiny.retry_after_secs(), 1);
    }
}
