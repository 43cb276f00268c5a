//! One claimed job's run: the handler in its own task (a panic is a failure, not a crash
//! of the worker), its timing, and the outcome written back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::OwnedSemaphorePermit;
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;

use super::JobInfo;
use super::claims::{self, AfterFailure, Claimed};
use super::store::now_micros;
use super::worker::Shared;

/// A job this worker is running, as the heartbeat and the shutdown see it.
pub(crate) struct Running {
    pub(crate) claimed_at: Instant,
    cancel: CancellationToken,
    cancel_requested: Arc<AtomicBool>,
    lost: Arc<AtomicBool>,
    abort: AbortHandle,
}

impl Running {
    /// Someone asked to cancel it (`POST /jobs/{id}/cancel`): tell the handler.
    pub(crate) fn request_cancel(&self) {
        self.cancel_requested.store(true, Ordering::Relaxed);
        self.cancel.cancel();
    }

    /// Another worker may own it now: tell the handler to stop; write nothing back.
    pub(crate) fn lose(&self) {
        self.lost.store(true, Ordering::Relaxed);
        self.cancel.cancel();
    }

    /// The shutdown deadline passed: stop the handler where it is.
    pub(crate) fn stop(&self) {
        self.abort.abort();
    }
}

/// Runs one claimed job and records its outcome; the permit frees the slot at the end.
pub(crate) async fn run(shared: Arc<Shared>, job: Claimed, permit: OwnedSemaphorePermit) {
    #[allow(clippy::cast_precision_loss)]
    let waited = (now_micros() - job.run_at).max(0) as f64 / 1e6;
    metrics::histogram!("jobs_wait_seconds", "queue" => job.queue.clone()).record(waited);

    let cancel = CancellationToken::new();
    let info = JobInfo {
        id: job.id,
        kind: job.kind.clone(),
        queue: job.queue.clone(),
        attempt: job.attempt,
        max_attempts: job.max_attempts,
        cancel: cancel.clone(),
    };
    let cancel_requested = Arc::new(AtomicBool::new(false));
    let lost = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handle = tokio::spawn(shared.registry.run(
        &job.kind,
        &job.payload,
        job.payload_version,
        info,
    ));
    if let Ok(mut running) = shared.running.lock() {
        running.insert(
            job.id,
            Running {
                claimed_at: started,
                cancel,
                cancel_requested: cancel_requested.clone(),
                lost: lost.clone(),
                abort: handle.abort_handle(),
            },
        );
    }
    let result = handle.await;
    if let Ok(mut running) = shared.running.lock() {
        running.remove(&job.id);
    }
    metrics::histogram!("jobs_run_duration_seconds", "kind" => job.kind.clone())
        .record(started.elapsed().as_secs_f64());

    let error = match result {
        Ok(Ok(())) => {
            count(&job.kind, "succeeded");
            // The completer writes it; if the send fails the worker is gone and the
            // lease will expire: at-least-once.
            let _ = shared.completions.send(job.id);
            drop(permit);
            return;
        }
        Ok(Err(error)) => error,
        Err(join) if join.is_panic() => super::JobError::retry(format!(
            "the handler panicked: {}",
            panic_message(join.into_panic())
        )),
        // Aborted at the shutdown deadline; the drain releases it.
        Err(_) => {
            count(&job.kind, "released");
            drop(permit);
            return;
        }
    };
    drop(permit);
    if lost.load(Ordering::Relaxed) {
        count(&job.kind, "lost");
        return;
    }
    metrics::counter!("jobs_failures_total", "kind" => job.kind.clone()).increment(1);
    let next = if cancel_requested.load(Ordering::Relaxed) {
        AfterFailure::Cancelled
    } else if !error.retry || job.attempt >= job.max_attempts {
        AfterFailure::Dead
    } else {
        AfterFailure::Retry {
            run_at: now_micros() + backoff_micros(job.attempt),
        }
    };
    let outcome = match next {
        AfterFailure::Cancelled => "cancelled",
        AfterFailure::Dead => "dead",
        AfterFailure::Retry { .. } => "retried",
    };
    count(&job.kind, outcome);
    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempt, outcome, error = %error.message, "job failed");
    if let Err(db_error) = claims::fail(&shared.db, &shared.id, job.id, &error.message, next).await
    {
        tracing::error!(job = job.id, %db_error, "recording a job failure failed; its lease will expire");
    }
}

fn count(kind: &str, outcome: &'static str) {
    metrics::counter!("jobs_finished_total", "kind" => kind.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// Exponential backoff with jitter: about 2^(attempt-1) seconds (1, 2, 4, ... capped at
/// an hour), each delay drawn uniformly from its upper half so that jobs failing together
/// do not retry together.
pub(crate) fn backoff_micros(attempt: i32) -> i64 {
    const CAP_SECS: i64 = 3600;
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 12)).unwrap_or(12);
    let ceiling = (1_i64 << exponent).min(CAP_SECS) * 1_000_000;
    let mut bytes = [0u8; 8];
    let random = match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => u64::from(std::process::id()),
    };
    let half = ceiling / 2;
    let jitter = i64::try_from(random % u64::try_from(half.max(1)).unwrap_or(1)).unwrap_or(0);
    half + jitter
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        for attempt in 1..=20 {
            let ceiling = (1_i64 << (attempt - 1).min(12)).min(3600) * 1_000_000;
            for _ in 0..50 {
                let delay = backoff_micros(attempt);
                assert!(
                    delay >= ceiling / 2 && delay < ceiling,
                    "{attempt}: {delay}"
                );
            }
        }
        assert!(backoff_micros(100) < 3_600_000_000);
    }
}
