//! Background jobs: a durable queue in the application's own database, workers that claim
//! jobs under a lease, retries with backoff, a dead state, and cron schedules.
//!
//! A job type is a Rust type implementing [`Job`]; enqueue it with [`enqueue`] (or
//! [`Enqueue`] for a delay, priority or uniqueness key) on the pool or inside a
//! transaction, so that the job exists only if the transaction commits. Workers
//! ([`Worker`]) run every registered type ([`Registry`]).
//!
//! Delivery is **at least once**: a job whose worker dies (or loses its lease) runs again,
//! so handlers must be idempotent; [`JobInfo::attempt`] says which attempt this is. See
//! docs/systems/jobs.md for the exact guarantees.
//!
//! Storage: one table, `groundwork_jobs`. On PostgreSQL workers claim with
//! `FOR UPDATE SKIP LOCKED` and are woken by `LISTEN/NOTIFY`; on SQLite a claim is a
//! single `UPDATE ... RETURNING`, which SQLite serialises (one writer at a time).

mod claims;
mod handlers;
pub(crate) mod migrations;
mod runner;
mod schedule;
mod store;
mod wake;
mod worker;

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

pub use handlers::Registry;
pub use schedule::{ScheduleError, Scheduler};
pub use store::{
    CancelOutcome, JobRecord, JobState, ListFilter, QueueStats, RetryOutcome, cancel, find,
    find_pending_by_unique_key, insert, insert_many, list, retry, stats,
};
pub use worker::{Worker, WorkerOptions};

/// A job type: a serialisable payload with a name, defaults and a run function.
///
/// ```ignore
/// #[derive(Serialize, Deserialize)]
/// struct SendReceipt { order_id: i64 }
///
/// impl Job for SendReceipt {
///     const KIND: &'static str = "shop.send_receipt";
///     type Context = Mailer;
///     async fn run(self, mailer: &Mailer, job: &JobInfo) -> Result<(), JobError> {
///         mailer.send_receipt(self.order_id, job.idempotency_key()).await?;
///         Ok(())
///     }
/// }
/// ```
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored kind name; unique across the application (prefix it with the system).
    const KIND: &'static str;
    /// The queue it goes to unless the enqueuer says otherwise.
    const QUEUE: &'static str = "default";
    /// Higher runs first among due jobs.
    const PRIORITY: i32 = 0;
    /// Attempts before the job is dead (the first run counts).
    const MAX_ATTEMPTS: i32 = 10;
    /// The payload's version; bump it when the payload's shape changes and teach
    /// [`Job::upgrade`] to read the older one.
    const VERSION: i32 = 1;

    /// What the run function needs (clients, settings), given once at registration.
    type Context: Send + Sync + 'static;

    /// Does the work. Must be idempotent: it may run more than once.
    fn run(
        self,
        context: &Self::Context,
        job: &JobInfo,
    ) -> impl Future<Output = Result<(), JobError>> + Send;

    /// Turns a payload stored by an older version of this type into the current shape.
    fn upgrade(version: i32, payload: serde_json::Value) -> Result<serde_json::Value, String> {
        let _ = payload;
        Err(format!(
            "payload version {version} of {} cannot be read by version {}",
            Self::KIND,
            Self::VERSION
        ))
    }
}

/// What a running job knows about itself.
#[derive(Clone, Debug)]
pub struct JobInfo {
    /// The job's id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Its queue.
    pub queue: String,
    /// 1 on the first run.
    pub attempt: i32,
    /// The attempt after which a failure is final.
    pub max_attempts: i32,
    cancel: CancellationToken,
}

impl JobInfo {
    /// Resolves when someone asked to cancel this job, or when this worker lost its lease
    /// (another worker may take the job over). Long handlers should stop at that point.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await;
    }

    /// Whether [`JobInfo::cancelled`] has fired.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// A key that is the same on every attempt of this job, for the receiver's
    /// deduplication (`Idempotency-Key`).
    pub fn idempotency_key(&self) -> String {
        format!("groundwork-job-{}", self.id)
    }
}

/// A failed run.
#[derive(Debug)]
pub struct JobError {
    /// Kept on the job as its last error.
    pub message: String,
    /// `false`: no further attempts; the job is dead at once.
    pub retry: bool,
}

impl JobError {
    /// A failure worth retrying (a timeout, a 503).
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: true,
        }
    }

    /// A failure that another attempt would repeat (a rejected payload).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: false,
        }
    }
}

impl<E: std::error::Error> From<E> for JobError {
    fn from(error: E) -> Self {
        Self::retry(error.to_string())
    }
}

/// A job to insert, by kind name and JSON payload: what [`Enqueue`] builds from a typed
/// job, and what an HTTP API builds from a validated request.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// The kind name ([`Job::KIND`]).
    pub kind: String,
    /// The queue.
    pub queue: String,
    /// Higher runs first.
    pub priority: i32,
    /// Attempts before the job is dead.
    pub max_attempts: i32,
    /// The payload, already validated.
    pub payload: serde_json::Value,
    /// The payload's version.
    pub payload_version: i32,
    /// Not before this time; `None`: now.
    pub run_at: Option<DateTime<Utc>>,
    /// While a job with this key is queued or running, inserting another is a no-op.
    pub unique_key: Option<String>,
}

impl NewJob {
    /// The typed job's payload with its type's defaults.
    pub fn from_job<J: Job>(job: &J) -> Result<Self, EnqueueError> {
        Ok(Self {
            kind: J::KIND.to_owned(),
            queue: J::QUEUE.to_owned(),
            priority: J::PRIORITY,
            max_attempts: J::MAX_ATTEMPTS,
            payload: serde_json::to_value(job).map_err(EnqueueError::Payload)?,
            payload_version: J::VERSION,
            run_at: None,
            unique_key: None,
        })
    }
}

/// Why a job could not be enqueued.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// The payload did not serialise.
    #[error("the job payload cannot be serialised: {0}")]
    Payload(serde_json::Error),
    /// The database refused.
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Builder for an enqueue with options; [`enqueue`] is the short form.
pub struct Enqueue {
    job: Result<NewJob, EnqueueError>,
}

impl Enqueue {
    /// Starts from a typed job and its type's defaults.
    pub fn new<J: Job>(job: &J) -> Self {
        Self {
            job: NewJob::from_job(job),
        }
    }

    fn map(mut self, change: impl FnOnce(&mut NewJob)) -> Self {
        if let Ok(job) = &mut self.job {
            change(job);
        }
        self
    }

    /// Not before `at`.
    pub fn run_at(self, at: DateTime<Utc>) -> Self {
        self.map(|job| job.run_at = Some(at))
    }

    /// Not before `delay` from now.
    pub fn delay(self, delay: std::time::Duration) -> Self {
        let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        self.run_at(at)
    }

    /// Another queue than the type's.
    pub fn queue(self, queue: &str) -> Self {
        self.map(|job| job.queue = queue.to_owned())
    }

    /// Another priority than the type's (higher runs first).
    pub fn priority(self, priority: i32) -> Self {
        self.map(|job| job.priority = priority)
    }

    /// While a job with this key is queued or running, this enqueue is a no-op.
    pub fn unique_key(self, key: &str) -> Self {
        self.map(|job| job.unique_key = Some(key.to_owned()))
    }

    /// Inserts the job on `conn` (the pool, or a transaction: then the job exists only if
    /// the transaction commits). `None`: a job with the same unique key is pending.
    pub async fn send<C: ConnectionTrait>(self, conn: &C) -> Result<Option<i64>, EnqueueError> {
        let job = self.job?;
        Ok(insert(conn, &job).await?)
    }
}

/// Enqueues a typed job with its type's defaults, on the pool or inside a transaction.
pub async fn enqueue<J: Job, C: ConnectionTrait>(conn: &C, job: &J) -> Result<i64, EnqueueError> {
    let new = NewJob::from_job(job)?;
    let id = insert(conn, &new).await?;
    // Without a unique key the insert always adds a row.
    id.ok_or(EnqueueError::Database(DbErr::RecordNotInserted))
}

/// The tasks a process that runs jobs starts beside its other work: the worker (with the
/// `[worker]` settings, queues and concurrency possibly overridden by the caller) and,
/// if the registry has any, the cron scheduler.
pub fn background_tasks(
    platform: &crate::Platform,
    registry: Registry,
    options: WorkerOptions,
) -> Vec<crate::BackgroundTask> {
    let mut tasks = Vec::new();
    let scheduler = Scheduler::new(&registry);
    if !scheduler.is_empty() {
        let db = platform.db().clone();
        tasks.push(crate::BackgroundTask::new(
            "job scheduler",
            move |shutdown| scheduler.run(db, shutdown),
        ));
    }
    let worker = Worker::new(platform.db().clone(), registry, options);
    tasks.push(crate::BackgroundTask::new("job worker", move |shutdown| {
        worker.run(shutdown)
    }));
    tasks
}
