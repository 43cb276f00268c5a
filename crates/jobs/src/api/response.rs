//! What clients get back.

use chrono::{DateTime, Utc};
use groundwork_platform::jobs::{JobRecord, JobState, QueueStats};
use serde::Serialize;
use utoipa::ToSchema;

/// A job.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobResponse {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: String,
    /// Queue.
    pub queue: String,
    /// Higher runs first.
    pub priority: i32,
    /// State.
    pub state: JobState,
    /// The payload as enqueued.
    pub payload: serde_json::Value,
    /// Runs started so far.
    pub attempts: i32,
    /// The limit.
    pub max_attempts: i32,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// Enqueued at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Start of the latest attempt.
    pub started_at: Option<DateTime<Utc>>,
    /// End (succeeded, dead, cancelled).
    pub finished_at: Option<DateTime<Utc>>,
    /// The latest failure.
    pub last_error: Option<String>,
    /// Its uniqueness key.
    pub unique_key: Option<String>,
    /// Cancellation requested while running.
    pub cancel_requested: bool,
    /// The worker running it.
    pub worker: Option<String>,
}

impl From<JobRecord> for JobResponse {
    fn from(job: JobRecord) -> Self {
        Self {
            id: job.id,
            kind: job.kind,
            queue: job.queue,
            priority: job.priority,
            state: job.state,
            payload: job.payload,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            run_at: job.run_at,
            created_at: job.created_at,
            updated_at: job.updated_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            last_error: job.last_error,
            unique_key: job.unique_key,
            cancel_requested: job.cancel_requested,
            worker: job.locked_by,
        }
    }
}

/// `GET /jobs/stats`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsResponse {
    /// Counts per queue.
    pub queues: Vec<QueueStats>,
    /// The kinds `POST /jobs` accepts.
    pub kinds: Vec<&'static str>,
}
