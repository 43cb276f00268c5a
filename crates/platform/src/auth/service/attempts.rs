//! Limits on failed password attempts, per client address and per account.
//!
//! An attempt is counted *before* the password is checked, and forgiven when it succeeds.
//! Counting only after a failure would let a burst of concurrent guesses all pass the
//! check while the first ones are still being hashed; this way at most the limit's worth
//! of guesses is ever in flight or done per window.

use std::net::IpAddr;
use std::time::Duration;

use super::AuthService;
use crate::auth::email::Email;
use crate::error::ApiError;
use crate::http::client_ip::limit_prefix;
use crate::ratelimit::{Decision, Quota};

/// The limiter entries one attempt was counted against; forgive them on success.
#[must_use = "forgive the attempt when it succeeds"]
pub(super) struct Attempt {
    counted: Vec<(String, Quota)>,
}

impl AuthService {
    /// Counts a password attempt for this account (and, with `client`, this address);
    /// 429 if either is over its limit.
    pub(super) async fn begin_attempt(
        &self,
        account: &Email,
        client: Option<IpAddr>,
    ) -> Result<Attempt, ApiError> {
        let limits = &self.inner.limits;
        let mut keys = vec![(
            format!("login-account:{account}"),
            self.failure_quota(limits.login_failures_per_account),
        )];
        if let Some(ip) = client {
            keys.push((
                format!("login-ip:{}", limit_prefix(ip)),
                self.failure_quota(limits.login_failures_per_ip),
            ));
        }
        let mut attempt = Attempt {
            counted: Vec::new(),
        };
        if !limits.enabled {
            return Ok(attempt);
        }
        for (key, quota) in keys {
            match self.inner.limiter.check(&key, quota, true).await {
                Ok(Decision::Allowed { .. }) => attempt.counted.push((key, quota)),
                Ok(limited) => {
                    self.forgive(attempt).await;
                    return Err(ApiError::too_many_requests(limited.retry_after_secs()));
                }
                // An unreachable limiter (Redis down) must not lock everyone out.
                Err(error) => {
                    tracing::warn!(%error, "login rate limiter unavailable; allowing the attempt")
                }
            }
        }
        Ok(attempt)
    }

    /// Takes back what [`Self::begin_attempt`] counted.
    pub(super) async fn forgive(&self, attempt: Attempt) {
        for (key, quota) in attempt.counted {
            if let Err(error) = self.inner.limiter.refund(&key, quota).await {
                tracing::warn!(%error, "could not forgive a successful login attempt");
            }
        }
    }

    fn failure_quota(&self, count: u32) -> Quota {
        Quota::per_window(
            count,
            Duration::from_secs(self.inner.limits.login_failure_window_secs),
        )
    }
}
