//! The `noop` kind: does nothing, optionally after a pause or after failing a set number
//! of attempts. For health checks of the worker fleet, for trying the retry and dead
//! states by hand, and for the queue benchmarks.

use std::time::Duration;

use groundwork_platform::FieldError;
use groundwork_platform::jobs::{Job, JobError, JobInfo};
use serde::{Deserialize, Serialize};

/// A no-op job.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Noop {
    /// Sleep this long first (0 to 60000 ms; the sleep ends early on cancellation).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sleep_ms: u64,
    /// Fail the first N attempts (0 to 100).
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub fail_attempts: i32,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(value: &u64) -> bool {
    *value == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero_i32(value: &i32) -> bool {
    *value == 0
}

impl Noop {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.sleep_ms > 60_000 {
            errors.push(FieldError::new(
                "payload.sleepMs",
                "out_of_range",
                "0 to 60000",
            ));
        }
        if !(0..=100).contains(&self.fail_attempts) {
            errors.push(FieldError::new(
                "payload.failAttempts",
                "out_of_range",
                "0 to 100",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Job for Noop {
    const KIND: &'static str = "noop";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = ();

    async fn run(self, (): &(), job: &JobInfo) -> Result<(), JobError> {
        if self.sleep_ms > 0 {
            tokio::select! {
                () = job.cancelled() => return Err(JobError::retry("cancelled while sleeping")),
                () = tokio::time::sleep(Duration::from_millis(self.sleep_ms)) => {}
            }
        }
        if job.attempt <= self.fail_attempts {
            return Err(JobError::retry(format!(
                "failing on purpose (attempt {} of the first {})",
                job.attempt, self.fail_attempts
            )));
        }
        Ok(())
    }
}
